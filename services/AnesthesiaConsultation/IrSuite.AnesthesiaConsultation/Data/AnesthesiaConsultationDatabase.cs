using IrSuite.ServiceDefaults.Data;

namespace IrSuite.AnesthesiaConsultation.Data;

/// <summary>The anesthesia-consultation database (SQLite file or PostgreSQL schema <c>anesthesia_consultation</c>).</summary>
public sealed class AnesthesiaConsultationDatabase(DatabaseOptions options) : ServiceDatabase(options, AnesthesiaConsultationModule.ServiceName);
