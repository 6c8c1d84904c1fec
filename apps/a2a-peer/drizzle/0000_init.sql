CREATE SCHEMA IF NOT EXISTS "a2a";
--> statement-breakpoint
CREATE TABLE "a2a"."push_configs" (
	"task_id" text NOT NULL,
	"id" text NOT NULL,
	"config" "bytea" NOT NULL,
	"config_codec" text DEFAULT 'identity' NOT NULL,
	"config_key_id" text,
	"config_nonce" "bytea",
	"config_format_version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "push_configs_task_id_id_pk" PRIMARY KEY("task_id","id")
);
--> statement-breakpoint
CREATE TABLE "a2a"."push_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"task_id" text NOT NULL,
	"config_id" text NOT NULL,
	"event" "bytea" NOT NULL,
	"event_codec" text DEFAULT 'identity' NOT NULL,
	"event_key_id" text,
	"event_nonce" "bytea",
	"event_format_version" integer DEFAULT 1 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "a2a"."received_messages" (
	"task_id" text NOT NULL,
	"message_id" text NOT NULL,
	"router_message_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "received_messages_task_id_message_id_pk" PRIMARY KEY("task_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "a2a"."task_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"task_id" text NOT NULL,
	"update_id" text,
	"event" "bytea" NOT NULL,
	"event_codec" text DEFAULT 'identity' NOT NULL,
	"event_key_id" text,
	"event_nonce" "bytea",
	"event_format_version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "a2a"."tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"context_id" text NOT NULL,
	"target" text NOT NULL,
	"skill" text,
	"agent_id" text,
	"owner" text NOT NULL,
	"state" text NOT NULL,
	"record" "bytea" NOT NULL,
	"record_codec" text DEFAULT 'identity' NOT NULL,
	"record_key_id" text,
	"record_nonce" "bytea",
	"record_format_version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "push_queue_due" ON "a2a"."push_queue" USING btree ("next_attempt_at");--> statement-breakpoint
CREATE INDEX "task_events_task_seq" ON "a2a"."task_events" USING btree ("task_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "task_events_update" ON "a2a"."task_events" USING btree ("task_id","update_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_seq" ON "a2a"."tasks" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "tasks_owner_seq" ON "a2a"."tasks" USING btree ("owner","seq");--> statement-breakpoint
CREATE INDEX "tasks_context" ON "a2a"."tasks" USING btree ("context_id");