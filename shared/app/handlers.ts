/**
 * One command handler per aggregate, each bound to its decider and its stream (DESIGN §4):
 * `await pairingHandler(deps, requestId, command, actor)`, `await pairingHandler.load(deps, requestId)`.
 */
import { certificateDecider } from '../domain/certificate.js';
import { renewalDecider } from '../domain/certificate-renewal.js';
import { chunkIntegrityDecider } from '../domain/chunk-integrity.js';
import { enrollmentWindowDecider } from '../domain/enrollment-window.js';
import { gcRunDecider } from '../domain/gc-run.js';
import { streams } from '../domain/ids.js';
import { machineDecider } from '../domain/machine.js';
import { pairingDecider } from '../domain/pairing.js';
import { recoveryPointDecider } from '../domain/recovery-point.js';
import { stateFromLast, storageDecider } from '../domain/storage.js';
import { tenantDecider } from '../domain/tenant.js';
import { verificationDecider } from '../domain/verification.js';
import { verificationReportDecider } from '../domain/verification-report.js';
import { seedImportDecider } from '../domain/seed-import.js';
import { commandHandler } from './command-handler.js';

export interface MachineKey { readonly tenantId: string; readonly machineId: string }
export interface RecoveryPointKey { readonly tenantId: string; readonly rpId: string }
export interface ChunkKey { readonly tenantId: string; readonly chunkId: string }
export interface RenewalKey { readonly tenantId: string; readonly renewalId: string }
export interface EnrollmentWindowKey { readonly serial: string; readonly windowStartSeconds: number }

export const pairingHandler = commandHandler(pairingDecider, (requestId: string) => streams.pairing(requestId));
export const tenantHandler = commandHandler(tenantDecider, (tenantId: string) => streams.tenant(tenantId));
export const certificateHandler = commandHandler(certificateDecider, (serial: string) => streams.cert(serial));
export const machineHandler = commandHandler(machineDecider, (k: MachineKey) => streams.machine(k.tenantId, k.machineId));
export const recoveryPointHandler = commandHandler(recoveryPointDecider, (k: RecoveryPointKey) => streams.rp(k.tenantId, k.rpId));
export const storageHandler = commandHandler(storageDecider, (tenantId: string) => streams.storage(tenantId), { cacheState: true, stateFromLast });
export const enrollmentWindowHandler = commandHandler(enrollmentWindowDecider, (k: EnrollmentWindowKey) => streams.enrollment(k.serial, k.windowStartSeconds));
export const gcRunHandler = commandHandler(gcRunDecider, (tenantId: string) => streams.gc(tenantId));
export const chunkIntegrityHandler = commandHandler(chunkIntegrityDecider, (k: ChunkKey) => streams.chunk(k.tenantId, k.chunkId));
export const renewalHandler = commandHandler(renewalDecider, (k: RenewalKey) => streams.renewal(k.tenantId, k.renewalId));
export const verificationHandler = commandHandler(verificationDecider, (k: RecoveryPointKey) => streams.verification(k.tenantId, k.rpId));
export interface ReportKey { readonly tenantId: string; readonly reportId: string }
export const verificationReportHandler = commandHandler(verificationReportDecider, (k: ReportKey) => streams.report(k.tenantId, k.reportId));
export const seedImportHandler = commandHandler(seedImportDecider, (importId: string) => streams.seed(importId));
