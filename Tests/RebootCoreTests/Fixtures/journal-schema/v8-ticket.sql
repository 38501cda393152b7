CREATE INDEX attempts_instanceId ON attempts(instanceId);
CREATE INDEX attempts_plan ON attempts(planId, instanceId);
CREATE INDEX "controls_on_planId" ON "controls"("planId");
CREATE UNIQUE INDEX intake_file ON intake (device, inode, size, mtimeNs, sha256);
CREATE INDEX intake_state ON intake (state);
CREATE INDEX "plan_events_on_planId" ON "plan_events"("planId");
CREATE INDEX plan_instances_instanceId ON plan_instances(instanceId);
CREATE INDEX plans_sha256 ON plans(sha256);
CREATE INDEX plans_state ON plans(state);
CREATE TABLE "attempts" (
  id INTEGER PRIMARY KEY AUTOINCREMENT, planId TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
  instanceId TEXT NOT NULL, attempt INTEGER NOT NULL CHECK (attempt >= 1),
  kind TEXT NOT NULL CHECK (kind IN ('reboot', 'resend')),
  sentAt TEXT NOT NULL, finishedAt TEXT, httpStatus INTEGER, errorCode TEXT, message TEXT, requestId TEXT,
  outcome TEXT CHECK (outcome IN ('accepted', 'conflict', 'throttled', 'transient', 'instanceFatal', 'accountFatal', 'in-doubt', 'applied', 'not-applied', 'unknown')), "sentBoottimeNs" INTEGER, "bootId" TEXT, "effectDeadline" TEXT);
CREATE TABLE "controls" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "planId" TEXT NOT NULL, "verb" TEXT NOT NULL, "requestedByUid" INTEGER NOT NULL, "requestedBy" TEXT NOT NULL, "requestedAt" TEXT NOT NULL, "appliedAt" TEXT NOT NULL, "result" TEXT NOT NULL);
CREATE TABLE daemon_state (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL,
  detail TEXT NOT NULL,
  updatedAt TEXT NOT NULL);
CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
CREATE TABLE intake (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device INTEGER NOT NULL, inode INTEGER NOT NULL, size INTEGER NOT NULL, mtimeNs INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  planId TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
  fileName TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('moved', 'pending-move')),
  takenAt TEXT NOT NULL, movedAt TEXT);
CREATE TABLE intake_stalls (
  sha256 TEXT PRIMARY KEY NOT NULL,
  fileName TEXT NOT NULL,
  seconds REAL NOT NULL,
  recordedAt TEXT NOT NULL);
CREATE TABLE "plan_events" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "planId" TEXT NOT NULL REFERENCES "plans"("id") ON DELETE CASCADE, "at" TEXT NOT NULL, "kind" TEXT NOT NULL, "detail" TEXT NOT NULL);
CREATE TABLE "plan_instances" (
  planId TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
  instanceId TEXT NOT NULL, batch INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'waiting', 'rebooting', 'rebooted', 'failed', 'skipped', 'cancelled')),
  attempts INTEGER NOT NULL, conflicts INTEGER NOT NULL, lastError TEXT, lastStatus TEXT,
  observedNonRunning BOOLEAN NOT NULL, startedAt TEXT, finishedAt TEXT, updatedAt TEXT NOT NULL, zone TEXT,
  PRIMARY KEY (planId, idx));
CREATE TABLE "plans" (
  id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, sourceFile TEXT NOT NULL, format TEXT NOT NULL
    CHECK (format IN ('yaml', 'json')),
  sha256 TEXT NOT NULL, submitterUid INTEGER NOT NULL, submitterName TEXT NOT NULL,
  submittedAt TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'waiting-window', 'waiting-gate', 'succeeded', 'failed', 'cancelled')),
  parameters TEXT NOT NULL, instanceCount INTEGER NOT NULL, batchCount INTEGER NOT NULL,
  currentBatch INTEGER NOT NULL, updatedAt TEXT NOT NULL, finishedAt TEXT, reason TEXT,
  stopRequest TEXT CHECK (stopRequest IN ('halt', 'cancel')), "batchDoneBatch" INTEGER, "batchDoneBoottimeNs" INTEGER, "batchDoneBootId" TEXT, "ticket" TEXT);
CREATE TABLE sqlite_sequence(name,seq);
