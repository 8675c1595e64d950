ALTER TABLE `messages` ADD `range` text;--> statement-breakpoint
CREATE INDEX `messages_verified_at_idx` ON `messages` (`verified_at`);