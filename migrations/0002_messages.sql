CREATE TABLE `message_events` (
	`message_id` text NOT NULL,
	`status` text NOT NULL,
	`error_code` integer,
	`at` integer NOT NULL,
	PRIMARY KEY(`message_id`, `status`),
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`purpose` text,
	`challenge_id` text,
	`destination` text NOT NULL,
	`calling_code` text NOT NULL,
	`status` text NOT NULL,
	`status_rank` integer NOT NULL,
	`error_code` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`verified_at` integer
);
--> statement-breakpoint
CREATE INDEX `messages_created_at_idx` ON `messages` (`created_at`);--> statement-breakpoint
CREATE INDEX `messages_challenge_id_idx` ON `messages` (`challenge_id`);--> statement-breakpoint
ALTER TABLE `customers` ADD `email_verified_at` integer;