CREATE TABLE "gateway"."agents" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"description" text,
	"capabilities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"registered_by" text NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"connected" boolean DEFAULT false NOT NULL,
	"gateway_id" text,
	"connection_id" text,
	"connected_at" timestamp with time zone,
	"disconnected_at" timestamp with time zone,
	"disconnect_reason" text
);
--> statement-breakpoint
CREATE TABLE "gateway"."api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"name" text NOT NULL,
	"agent_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"grants" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "agents_connected_idx" ON "gateway"."agents" USING btree ("connected");--> statement-breakpoint
CREATE INDEX "agents_gateway_idx" ON "gateway"."agents" USING btree ("gateway_id");--> statement-breakpoint
CREATE INDEX "api_keys_created_at_idx" ON "gateway"."api_keys" USING btree ("created_at");