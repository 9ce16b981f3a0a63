namespace IrSuite.ProcedureRecord.Domain;

/// <summary>A complication: a short non-identifying code and its CIRSE grade 1-6 (CIRSE classification 2017).</summary>
public sealed record RecordedComplication(string Code, int CirseGrade);
