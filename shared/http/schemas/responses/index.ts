export { PairingRequestList, PairingView } from './pairing.js';
export { EventList, GcStarted, GcStatus, OpenApiDocument, ProjectionDeadLetterList, Revocation, StorageMigrationStep, TenantDetail, TenantStatus, UsageReport, TenantList, WhoAmI } from './admin.js';
export { RecycleBinList, RetentionView } from './lifecycle.js';
export { MachineList, MachineView, Missing, PackReceipt, RecoveryPoint, RecoveryPointList, RenewalView, UploadList } from './replication.js';
export { DamagedExtents, VerificationReportStatus, VerifyStatus, VerifyStep } from './verification.js';
export { LogVerification } from './console.js';
export { SeedImportList, SeedImportView } from './seed.js';
export { LagReport, ReplicationControl } from './replication-control.js';
