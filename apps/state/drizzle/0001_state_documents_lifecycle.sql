CREATE TABLE "state"."document_history" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"version" bigint NOT NULL,
	"op" text NOT NULL,
	"document" "bytea",
	"codec" text DEFAULT 'identity' NOT NULL,
	"key_id" text,
	"nonce" "bytea",
	"format_version" integer DEFAULT 1 NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"by" text NOT NULL,
	CONSTRAINT "document_history_scope_key_version_pk" PRIMARY KEY("scope","key","version")
);
--> statement-breakpoint
CREATE TABLE "state"."documents" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"version" bigint NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"document" "bytea",
	"codec" text DEFAULT 'identity' NOT NULL,
	"key_id" text,
	"nonce" "bytea",
	"format_version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	CONSTRAINT "documents_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "state"."lifecycle_history" (
	"agent_id" text NOT NULL,
	"version" bigint NOT NULL,
	"from" text NOT NULL,
	"to" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"by" text NOT NULL,
	CONSTRAINT "lifecycle_history_agent_id_version_pk" PRIMARY KEY("agent_id","version")
);
--> statement-breakpoint
CREATE TABLE "state"."lifecycles" (
	"agent_id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"version" bigint NOT NULL,
	"connection_id" text,
	"connection_open" boolean DEFAULT false NOT NULL,
	"connected_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "document_history_at_idx" ON "state"."document_history" USING btree ("at");