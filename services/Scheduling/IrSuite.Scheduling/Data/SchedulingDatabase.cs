using IrSuite.ServiceDefaults.Data;

namespace IrSuite.Scheduling.Data;

/// <summary>The scheduling service's own database (SQLite file or PostgreSQL schema "scheduling").</summary>
public sealed class SchedulingDatabase(DatabaseOptions options) : ServiceDatabase(options, SchedulingModule.ServiceName);
