CREATE TABLE `refusals` (
	`hour` integer NOT NULL,
	`reason` text NOT NULL,
	`calling_code` text NOT NULL,
	`observed` integer DEFAULT false NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`hour`, `reason`, `calling_code`, `observed`)
);
