CREATE TABLE "router"."counters" (
	"name" text PRIMARY KEY NOT NULL,
	"value" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "router"."dead_letters" (
	"delivery_id" bigint PRIMARY KEY NOT NULL,
	"message_id" uuid NOT NULL,
	"agent_id" text NOT NULL,
	"attempts" integer NOT NULL,
	"reason" text NOT NULL,
	"last_error" jsonb,
	"envelope" jsonb NOT NULL,
	"payload" "bytea" NOT NULL,
	"codec" text DEFAULT 'identity' NOT NULL,
	"key_id" text,
	"nonce" "bytea",
	"format_version" integer DEFAULT 1 NOT NULL,
	"dead_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "router"."deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"message_id" uuid NOT NULL,
	"agent_id" text NOT NULL,
	"priority" smallint NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"last_error" jsonb,
	"acked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "router"."messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"sender_agent" text,
	"sent_by" text NOT NULL,
	"target" jsonb NOT NULL,
	"topic" text,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"priority" smallint NOT NULL,
	"conversation_id" text,
	"correlation_id" uuid,
	"reply_to" text,
	"receipt" boolean DEFAULT false NOT NULL,
	"payload" "bytea" NOT NULL,
	"codec" text DEFAULT 'identity' NOT NULL,
	"key_id" text,
	"nonce" "bytea",
	"format_version" integer DEFAULT 1 NOT NULL,
	"recipients" integer NOT NULL,
	"accepted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "messages_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE TABLE "router"."subscriptions" (
	"agent_id" text NOT NULL,
	"pattern" text NOT NULL,
	"filter" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscriptions_agent_id_pattern_pk" PRIMARY KEY("agent_id","pattern")
);
--> statement-breakpoint
ALTER TABLE "router"."deliveries" ADD CONSTRAINT "deliveries_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "router"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dead_letters_agent_idx" ON "router"."dead_letters" USING btree ("agent_id","delivery_id");--> statement-breakpoint
CREATE INDEX "dead_letters_dead_at_idx" ON "router"."dead_letters" USING btree ("dead_at");--> statement-breakpoint
CREATE INDEX "deliveries_queue_idx" ON "router"."deliveries" USING btree ("agent_id","priority" DESC NULLS LAST,"id") WHERE status = 'queued';--> statement-breakpoint
CREATE INDEX "deliveries_inflight_idx" ON "router"."deliveries" USING btree ("agent_id") WHERE status = 'inflight';--> statement-breakpoint
CREATE INDEX "deliveries_lease_idx" ON "router"."deliveries" USING btree ("lease_until") WHERE status = 'inflight';--> statement-breakpoint
CREATE INDEX "deliveries_message_idx" ON "router"."deliveries" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "deliveries_agent_idx" ON "router"."deliveries" USING btree ("agent_id","message_id");--> statement-breakpoint
CREATE INDEX "messages_accepted_at_idx" ON "router"."messages" USING btree ("accepted_at");--> statement-breakpoint
CREATE INDEX "messages_topic_idx" ON "router"."messages" USING btree ("topic","seq");--> statement-breakpoint
CREATE INDEX "messages_conversation_idx" ON "router"."messages" USING btree ("conversation_id","seq");--> statement-breakpoint
CREATE INDEX "messages_sender_idx" ON "router"."messages" USING btree ("sender_agent","seq");--> statement-breakpoint
INSERT INTO "router"."counters" ("name", "value") VALUES ('subscriptions', 0) ON CONFLICT DO NOTHING;
