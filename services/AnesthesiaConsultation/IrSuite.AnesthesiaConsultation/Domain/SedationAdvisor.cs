namespace IrSuite.AnesthesiaConsultation.Domain;

/// <summary>The mode the decision table suggests, with the reason codes that drove it (in table order).</summary>
public sealed record SedationSuggestion(SedationMode Mode, IReadOnlyList<string> Reasons);

/// <summary>
/// Sedation decision support (DOMAIN.md stage 2: "chosen from the number of levels, comorbidities and anxiety";
/// the table itself is local policy, docs/rules/anesthesia-consultation.md). The anaesthesiologist decides:
/// another mode is allowed with a deviation reason. Modes are ordered LOCAL &lt; LOCAL_WITH_SEDATION &lt;
/// CONSCIOUS_SEDATION &lt; GENERAL; each row raises the floor, none lowers it.
/// </summary>
public static class SedationAdvisor
{
    public const string ManyLevels = "MANY_LEVELS";
    public const string FewLevels = "FEW_LEVELS";
    public const string ProneNotTolerated = "PRONE_NOT_TOLERATED";
    public const string ProneLimited = "PRONE_LIMITED";
    public const string SevereAnxiety = "SEVERE_ANXIETY";
    public const string ModerateAnxiety = "MODERATE_ANXIETY";
    public const string HighAsaPrefersSedation = "HIGH_ASA_PREFERS_SEDATION";

    /// <param name="levelCount">Vertebral levels to treat (from ReferralAccepted).</param>
    /// <param name="asa">ASA class (stands for the comorbidity burden).</param>
    /// <param name="anxiety">Anxiety level.</param>
    /// <param name="prone">Prone-position tolerance.</param>
    /// <param name="generalFromLevels">Site protocol Anesthesia.GeneralAnesthesiaFromLevels.</param>
    public static SedationSuggestion Suggest(int levelCount, AsaClass asa, AnxietyLevel anxiety, ProneTolerance prone, int generalFromLevels, int sedationPreferredFromAsa)
    {
        var reasons = new List<string>();
        var mode = SedationMode.Local;

        void Raise(SedationMode floor, string reason)
        {
            reasons.Add(reason);
            if (floor > mode)
            {
                mode = floor;
            }
        }

        var manyLevels = levelCount >= generalFromLevels;
        if (manyLevels)
        {
            // A long multi-level procedure in the prone position is not held under sedation.
            Raise(SedationMode.General, ManyLevels);
        }
        else
        {
            Raise(SedationMode.Local, FewLevels);
        }

        if (prone == ProneTolerance.NotTolerated)
        {
            Raise(SedationMode.General, ProneNotTolerated);
        }
        else if (prone == ProneTolerance.Limited)
        {
            Raise(SedationMode.LocalWithSedation, ProneLimited);
        }

        if (anxiety == AnxietyLevel.Severe)
        {
            Raise(SedationMode.ConsciousSedation, SevereAnxiety);
        }
        else if (anxiety == AnxietyLevel.Moderate)
        {
            Raise(SedationMode.LocalWithSedation, ModerateAnxiety);
        }

        if ((int)asa >= sedationPreferredFromAsa && !manyLevels && prone != ProneTolerance.NotTolerated)
        {
            // ASA III or above with few levels: an anaesthetist-monitored sedation rather than a general
            // anaesthesia (the GA risk outweighs a short procedure), never below LOCAL_WITH_SEDATION.
            Raise(SedationMode.LocalWithSedation, HighAsaPrefersSedation);
        }

        return new SedationSuggestion(mode, reasons);
    }
}
