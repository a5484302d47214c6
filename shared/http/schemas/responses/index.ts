export { PairingRequestList, PairingView } from './pairing.js';
export { EventList, GcStarted, GcStatus, OpenApiDocument, ProjectionDeadLetterList, Revocation, StorageMigrationStep, TenantDetail, TenantList, WhoAmI } from './admin.js';
export { MachineList, MachineView, Missing, PackReceipt, RecoveryPoint, RecoveryPointList, UploadList } from './replication.js';
