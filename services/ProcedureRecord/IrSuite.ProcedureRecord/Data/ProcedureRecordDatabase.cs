using IrSuite.ServiceDefaults.Data;

namespace IrSuite.ProcedureRecord.Data;

/// <summary>The procedure-record database (its own SQLite file or PostgreSQL schema).</summary>
public sealed class ProcedureRecordDatabase(DatabaseOptions options) : ServiceDatabase(options, ProcedureRecordModule.ServiceName);
