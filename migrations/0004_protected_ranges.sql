CREATE TABLE `protected_ranges` (
	`range` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`since` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`safe` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX `protected_ranges_updated_at_idx` ON `protected_ranges` (`updated_at`);