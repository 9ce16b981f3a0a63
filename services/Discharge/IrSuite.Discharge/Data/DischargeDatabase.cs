using IrSuite.ServiceDefaults.Data;

namespace IrSuite.Discharge.Data;

/// <summary>The discharge service's database (its own SQLite file or PostgreSQL schema).</summary>
public sealed class DischargeDatabase(DatabaseOptions options) : ServiceDatabase(options, DischargeModule.ServiceName);
