using IrSuite.ServiceDefaults.Observability;
using static IrSuite.ServiceDefaults.Observability.ClinicalMetrics;

namespace IrSuite.ProcedureRecord.Domain;

/// <summary>The procedure's KPIs (decision 0009): duration, complications, cement leaks and dose of each closed case; codes only.</summary>
public static class CaseMetrics
{
    public static void RecordCompleted(CaseRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Cases.Add(1, Tag("outcome", "completed"));
        if (record is { SignedInAt: { } from, EndedAt: { } to })
        {
            ProcedureDuration.Record(Math.Max(0, (to - from).TotalMinutes), Tag("sedation", record.Booking.SedationMode));
        }

        foreach (var complication in record.Complications)
        {
            ClinicalMetrics.Complications.Add(1, Tag("code", complication.Code), Tag("cirse_grade", complication.CirseGrade));
        }

        foreach (var level in record.Treatments.Where(t => t.Leakage != CementLeakage.None))
        {
            CementLeaks.Add(1, Tag("type", level.Leakage.ToString().ToUpperInvariant()), Tag("symptomatic", level.LeakageSymptomatic));
        }

        if (record.Dose is { } dose)
        {
            ReferenceAirKerma.Record(dose.ReferenceAirKermaMgy);
            DoseAreaProduct.Record(dose.DoseAreaProductGyCm2);
            FluoroscopyTime.Record(dose.FluoroscopySeconds);
        }
    }

    public static void RecordDiscontinued() => Cases.Add(1, Tag("outcome", "discontinued"));
}
