export { PairingRequestList, PairingView } from './pairing.js';
export { EventList, OpenApiDocument, ProjectionDeadLetterList, Revocation, StorageMigrationStep, TenantDetail, TenantList, WhoAmI } from './admin.js';
export { RecycleBinList, RetentionReport, RetentionView } from './lifecycle.js';
export { MachineList, MachineView, Missing, PackReceipt, RecoveryPoint, RecoveryPointList, UploadList } from './replication.js';
