using IrSuite.Contracts;
using IrSuite.Scheduling.V1;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Scheduling.Grpc;

/// <summary>Proto enums to the upper snake case codes events carry (IrSuite.Contracts vocabulary).</summary>
public static class Codes
{
    public static string Sedation(CommonV1.SedationMode mode) => mode switch
    {
        CommonV1.SedationMode.LocalWithSedation => SedationCodes.LocalWithSedation,
        CommonV1.SedationMode.ConsciousSedation => SedationCodes.ConsciousSedation,
        CommonV1.SedationMode.General => SedationCodes.General,
        _ => SedationCodes.Local,
    };

    public static string Admission(CommonV1.AdmissionType admission) =>
        admission == CommonV1.AdmissionType.Hospitalised ? AdmissionCodes.Hospitalised : AdmissionCodes.Ambulatory;

    public static string Pregnancy(CommonV1.PregnancyStatus pregnancy) => pregnancy switch
    {
        CommonV1.PregnancyStatus.NotApplicable => "NOT_APPLICABLE",
        CommonV1.PregnancyStatus.Possible => "POSSIBLE",
        CommonV1.PregnancyStatus.Excluded => "EXCLUDED",
        CommonV1.PregnancyStatus.Pregnant => "PREGNANT",
        _ => "UNSPECIFIED",
    };

    public static string Indication(Indication indication) => indication switch
    {
        V1.Indication.OsteoporoticFracture => "OSTEOPOROTIC_FRACTURE",
        V1.Indication.Tumour => "TUMOUR",
        _ => "UNSPECIFIED",
    };
}
