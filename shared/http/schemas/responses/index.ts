export { PairingRequestList, PairingView } from './pairing.js';
export { EventList, OpenApiDocument, ProjectionDeadLetterList, Revocation, TenantDetail, TenantList, WhoAmI } from './admin.js';
export { MachineList, MachineView, Missing, PackReceipt, RecoveryPoint, RecoveryPointList } from './replication.js';
