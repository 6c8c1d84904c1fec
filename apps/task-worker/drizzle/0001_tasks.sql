CREATE TABLE "tasks"."dependencies" (
	"task_id" uuid NOT NULL,
	"depends_on" uuid NOT NULL,
	CONSTRAINT "dependencies_task_id_depends_on_pk" PRIMARY KEY("task_id","depends_on")
);
--> statement-breakpoint
CREATE TABLE "tasks"."executors" (
	"agent_id" text NOT NULL,
	"type" text NOT NULL,
	"concurrency" integer NOT NULL,
	"capabilities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"connection_id" text,
	"declared_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "executors_agent_id_type_pk" PRIMARY KEY("agent_id","type")
);
--> statement-breakpoint
CREATE TABLE "tasks"."schedules" (
	"name" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"cron" text NOT NULL,
	"timezone" text NOT NULL,
	"input" "bytea" NOT NULL,
	"input_codec" text DEFAULT 'identity' NOT NULL,
	"input_key_id" text,
	"input_nonce" "bytea",
	"input_format_version" integer DEFAULT 1 NOT NULL,
	"priority" smallint,
	"next_run_at" timestamp with time zone NOT NULL,
	"last_task_id" uuid,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks"."task_types" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text,
	"input_schema" jsonb,
	"capabilities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"timeout_ms" integer NOT NULL,
	"max_attempts" integer NOT NULL,
	"backoff_base_ms" integer NOT NULL,
	"backoff_max_ms" integer NOT NULL,
	"priority" smallint NOT NULL,
	"strategy" text NOT NULL,
	"concurrency" integer,
	"version" integer DEFAULT 1 NOT NULL,
	"registered_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks"."tasks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"priority" smallint NOT NULL,
	"input" "bytea" NOT NULL,
	"input_codec" text DEFAULT 'identity' NOT NULL,
	"input_key_id" text,
	"input_nonce" "bytea",
	"input_format_version" integer DEFAULT 1 NOT NULL,
	"result" "bytea",
	"result_codec" text DEFAULT 'identity' NOT NULL,
	"result_key_id" text,
	"result_nonce" "bytea",
	"result_format_version" integer DEFAULT 1 NOT NULL,
	"error" "bytea",
	"error_codec" text DEFAULT 'identity' NOT NULL,
	"error_key_id" text,
	"error_nonce" "bytea",
	"error_format_version" integer DEFAULT 1 NOT NULL,
	"progress" "bytea",
	"progress_codec" text DEFAULT 'identity' NOT NULL,
	"progress_key_id" text,
	"progress_nonce" "bytea",
	"progress_format_version" integer DEFAULT 1 NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer NOT NULL,
	"backoff_base_ms" integer NOT NULL,
	"backoff_max_ms" integer NOT NULL,
	"timeout_ms" integer NOT NULL,
	"submitted_by" text NOT NULL,
	"idempotency_key" text,
	"agent_id" text,
	"blocked" boolean DEFAULT false NOT NULL,
	"run_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"deadline_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "tasks_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE TABLE "tasks"."transitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"task_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"attempt" integer NOT NULL,
	"agent_id" text,
	"reason" text
);
--> statement-breakpoint
ALTER TABLE "tasks"."dependencies" ADD CONSTRAINT "dependencies_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "tasks"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks"."transitions" ADD CONSTRAINT "transitions_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "tasks"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dependencies_depends_on_idx" ON "tasks"."dependencies" USING btree ("depends_on");--> statement-breakpoint
CREATE INDEX "schedules_next_run_idx" ON "tasks"."schedules" USING btree ("next_run_at");--> statement-breakpoint
CREATE INDEX "tasks_queue_idx" ON "tasks"."tasks" USING btree ("type","priority" DESC NULLS LAST,"run_at","seq") WHERE status = 'queued';--> statement-breakpoint
CREATE INDEX "tasks_scheduled_idx" ON "tasks"."tasks" USING btree ("run_at") WHERE status = 'scheduled' AND NOT blocked;--> statement-breakpoint
CREATE INDEX "tasks_blocked_idx" ON "tasks"."tasks" USING btree ("id") WHERE status = 'scheduled' AND blocked;--> statement-breakpoint
CREATE INDEX "tasks_lease_idx" ON "tasks"."tasks" USING btree ("lease_until") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "tasks_deadline_idx" ON "tasks"."tasks" USING btree ("deadline_at") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "tasks_running_agent_idx" ON "tasks"."tasks" USING btree ("agent_id") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "tasks_type_idx" ON "tasks"."tasks" USING btree ("type","seq");--> statement-breakpoint
CREATE INDEX "tasks_status_idx" ON "tasks"."tasks" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "tasks_submitter_idx" ON "tasks"."tasks" USING btree ("submitted_by","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_idempotency_idx" ON "tasks"."tasks" USING btree ("submitted_by","idempotency_key") WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX "transitions_task_idx" ON "tasks"."transitions" USING btree ("task_id","id");