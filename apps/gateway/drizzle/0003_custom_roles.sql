CREATE TABLE "gateway"."roles" (
	"name" text PRIMARY KEY NOT NULL,
	"grants" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL
);
