import PostgresNIO

// The journal's records as rows of `PostgresJournal`'s tables: each record's columns, in the
// order its initializer reads them, and the binds of its insert.

extension PlanRecord {
    static let postgresColumns = """
        id, name, sourceFile, format, sha256, submitterUid, submitterName, submittedAt, state, parameters, instanceCount,
        batchCount, currentBatch, updatedAt, finishedAt, reason, stopRequest, ticket
        """
    /// The columns with an empty `parameters` (a plan's head).
    static let postgresHeadColumns = postgresColumns.replacingOccurrences(of: "parameters,", with: "''::text AS parameters,")

    init(postgres row: PostgresRow) throws {
        var r = PostgresRowReader(row)
        self.init(
            id: try r.next(), name: try r.next(), sourceFile: try r.next(), format: try r.next(), sha256: try r.next(),
            submitterUid: try r.next(), submitterName: try r.next(), submittedAt: try r.next(), state: try r.next(),
            parameters: try r.next(), instanceCount: try r.next(), batchCount: try r.next(), currentBatch: try r.next(),
            updatedAt: try r.next(), finishedAt: try r.next(), reason: try r.next(), stopRequest: try r.next(), ticket: try r.next())
    }

    /// The insert of this plan, every column.
    var postgresInsert: PostgresQuery {
        """
        INSERT INTO plans (\(unescaped: Self.postgresColumns))
        VALUES (\(id), \(name), \(sourceFile), \(format), \(sha256), \(submitterUid), \(submitterName), \(submittedAt), \(state),
          \(parameters), \(instanceCount), \(batchCount), \(currentBatch), \(updatedAt), \(finishedAt), \(reason), \(stopRequest),
          \(ticket))
        """
    }
}

extension PlanInstanceRecord {
    static let postgresColumns = """
        planId, idx, instanceId, batch, state, attempts, conflicts, lastError, lastStatus, observedNonRunning, startedAt,
        finishedAt, updatedAt
        """
    /// The columns a read takes: the insert's and the zone the plan learned (v9).
    static let postgresReadColumns = postgresColumns + ", zone"

    init(postgres row: PostgresRow) throws {
        var r = PostgresRowReader(row)
        self.init(
            planId: try r.next(), idx: try r.next(), instanceId: try r.next(), batch: try r.next(), state: try r.next(),
            attempts: try r.next(), conflicts: try r.next(), lastError: try r.next(), lastStatus: try r.next(),
            observedNonRunning: try r.next(), startedAt: try r.next(), finishedAt: try r.next(), updatedAt: try r.next(),
            zone: try r.next())
    }

    /// Appends this row's values to a multi-row insert of `postgresColumns` (and a zone).
    func appendBinds(to binds: inout PostgresBindings, zone: String? = nil) {
        binds.append(planId)
        binds.append(idx)
        binds.append(instanceId)
        binds.append(batch)
        binds.append(state)
        binds.append(attempts)
        binds.append(conflicts)
        binds.append(lastError)
        binds.append(lastStatus)
        binds.append(observedNonRunning)
        binds.append(startedAt)
        binds.append(finishedAt)
        binds.append(updatedAt)
        binds.append(zone ?? self.zone)
    }

    /// The binds per row of `appendBinds`.
    static let postgresBindsPerRow = 14
}

extension AttemptRecord {
    static let postgresColumns = """
        id, planId, instanceId, attempt, kind, sentAt, finishedAt, httpStatus, errorCode, message, requestId, outcome,
        sentBoottimeNs, bootId, effectDeadline
        """

    init(postgres row: PostgresRow) throws {
        var r = PostgresRowReader(row)
        self.init(
            id: try r.next(), planId: try r.next(), instanceId: try r.next(), attempt: try r.next(), kind: try r.next(),
            sentAt: try r.next(), finishedAt: try r.next(), httpStatus: try r.next(), errorCode: try r.next(), message: try r.next(),
            requestId: try r.next(), outcome: try r.next(), sentBoottimeNs: try r.next(), bootId: try r.next(),
            effectDeadline: try r.next())
    }

    /// The insert of this attempt (its id from the sequence), returning the id.
    var postgresInsert: PostgresQuery {
        """
        INSERT INTO attempts (planId, instanceId, attempt, kind, sentAt, finishedAt, httpStatus, errorCode, message, requestId,
          outcome, sentBoottimeNs, bootId, effectDeadline)
        VALUES (\(planId), \(instanceId), \(attempt), \(kind), \(sentAt), \(finishedAt), \(httpStatus), \(errorCode), \(message),
          \(requestId), \(outcome), \(sentBoottimeNs), \(bootId), \(effectDeadline))
        RETURNING id
        """
    }
}

extension PlanEventRecord {
    static let postgresColumns = "id, planId, at, kind, detail"

    init(postgres row: PostgresRow) throws {
        var r = PostgresRowReader(row)
        self.init(id: try r.next(), planId: try r.next(), at: try r.next(), kind: try r.next(), detail: try r.next())
    }

    var postgresInsert: PostgresQuery {
        "INSERT INTO plan_events (planId, at, kind, detail) VALUES (\(planId), \(at), \(kind), \(detail))"
    }
}

extension ControlRecord {
    static let postgresColumns = "id, planId, verb, requestedByUid, requestedBy, requestedAt, appliedAt, result"

    init(postgres row: PostgresRow) throws {
        var r = PostgresRowReader(row)
        self.init(
            id: try r.next(), planId: try r.next(), verb: try r.next(), requestedByUid: try r.next(), requestedBy: try r.next(),
            requestedAt: try r.next(), appliedAt: try r.next(), result: try r.next())
    }

    var postgresInsert: PostgresQuery {
        """
        INSERT INTO controls (planId, verb, requestedByUid, requestedBy, requestedAt, appliedAt, result)
        VALUES (\(planId), \(verb), \(requestedByUid), \(requestedBy), \(requestedAt), \(appliedAt), \(result))
        """
    }
}
