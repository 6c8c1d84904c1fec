CREATE TABLE "tools"."call_audit" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"caller" text NOT NULL,
	"name" text NOT NULL,
	"version" text,
	"provider" text,
	"outcome" text NOT NULL,
	"error_code" text,
	"duration_ms" double precision NOT NULL,
	"arguments" "bytea",
	"codec" text DEFAULT 'identity' NOT NULL,
	"key_id" text,
	"nonce" "bytea",
	"format_version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tools"."tool_figures" (
	"name" text NOT NULL,
	"version" text NOT NULL,
	"calls" bigint DEFAULT 0 NOT NULL,
	"errors" bigint DEFAULT 0 NOT NULL,
	"timeouts" bigint DEFAULT 0 NOT NULL,
	"last_success_at" timestamp with time zone,
	CONSTRAINT "tool_figures_name_version_pk" PRIMARY KEY("name","version")
);
--> statement-breakpoint
CREATE TABLE "tools"."tool_groups" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"tools" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tools"."tool_providers" (
	"name" text NOT NULL,
	"version" text NOT NULL,
	"kind" text NOT NULL,
	"provider_id" text NOT NULL,
	"upstream_name" text,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tool_providers_name_version_kind_provider_id_pk" PRIMARY KEY("name","version","kind","provider_id")
);
--> statement-breakpoint
CREATE TABLE "tools"."tool_versions" (
	"name" text NOT NULL,
	"version" text NOT NULL,
	"description" text NOT NULL,
	"input_schema" jsonb NOT NULL,
	"output_schema" jsonb,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"definition_hash" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"deprecation_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tool_versions_name_version_pk" PRIMARY KEY("name","version")
);
--> statement-breakpoint
CREATE TABLE "tools"."upstream_servers" (
	"name" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"protocol_version" text,
	"list_changed" boolean DEFAULT false NOT NULL,
	"last_synced_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tools"."tool_providers" ADD CONSTRAINT "tool_providers_name_version_tool_versions_name_version_fk" FOREIGN KEY ("name","version") REFERENCES "tools"."tool_versions"("name","version") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "call_audit_at_idx" ON "tools"."call_audit" USING btree ("at");--> statement-breakpoint
CREATE INDEX "call_audit_tool_idx" ON "tools"."call_audit" USING btree ("name","version","at");--> statement-breakpoint
CREATE INDEX "call_audit_caller_idx" ON "tools"."call_audit" USING btree ("caller","at");--> statement-breakpoint
CREATE INDEX "tool_providers_provider_idx" ON "tools"."tool_providers" USING btree ("kind","provider_id");--> statement-breakpoint
CREATE INDEX "tool_versions_tags_idx" ON "tools"."tool_versions" USING gin ("tags");