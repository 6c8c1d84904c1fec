CREATE TABLE "gateway"."security_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"service" text NOT NULL,
	"principal" text,
	"credential_id" text,
	"ip" text,
	"path" text,
	"code" text,
	"detail" text,
	"facts" jsonb
);
--> statement-breakpoint
CREATE INDEX "security_events_at_idx" ON "gateway"."security_events" USING btree ("at","id");--> statement-breakpoint
CREATE INDEX "security_events_kind_at_idx" ON "gateway"."security_events" USING btree ("kind","at");--> statement-breakpoint
CREATE INDEX "security_events_principal_idx" ON "gateway"."security_events" USING btree ("principal");--> statement-breakpoint
CREATE INDEX "security_events_credential_idx" ON "gateway"."security_events" USING btree ("credential_id");--> statement-breakpoint
CREATE INDEX "security_events_ip_idx" ON "gateway"."security_events" USING btree ("ip");