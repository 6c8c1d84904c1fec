export {
  type EmbeddedMesh,
  type EmbeddedMeshOptions,
  type EmbeddedService,
  startEmbeddedMesh,
} from './embedded-mesh.ts';
export {
  type EmbeddedPostgresOptions,
  type EmbeddedPostgresServer,
  startEmbeddedPostgres,
} from './embedded-postgres.ts';
export { freePort } from './free-port.ts';
