using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using IrSuite.ProcedureRecord.Domain;
using Proto = IrSuite.Procedure.V1;

namespace IrSuite.ProcedureRecord.Grpc;

/// <summary>Domain ↔ proto mapping of cases (no rules here).</summary>
public static class CaseMapper
{
    public static Proto.ProcedureCase ToProto(CaseRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var message = new Proto.ProcedureCase
        {
            ReferralId = record.ReferralId.ToString(),
            PatientId = record.PatientId.ToString(),
            Status = ToProto(record.State),
            Room = record.Room,
            ScheduledStart = Timestamp.FromDateTimeOffset(record.ScheduledStart),
            OperatorId = record.OperatorId ?? "",
            SignedInAt = ToTimestamp(record.SignedInAt),
            TimedOutAt = ToTimestamp(record.TimedOutAt),
            SignedOutAt = ToTimestamp(record.SignedOutAt),
            EndedAt = ToTimestamp(record.EndedAt),
            Version = record.Version,
        };
        message.ScheduledLevels.AddRange(record.ScheduledLevels);
        message.ConfirmedLevels.AddRange(record.ConfirmedLevels);
        message.Treatments.AddRange(record.Treatments.Select(t => new Proto.LevelTreatment
        {
            Level = t.Level,
            Approach = (Proto.Approach)(int)t.Approach,
            TrocarGauge = t.TrocarGauge,
            CementVolumeMl = t.CementVolumeMl,
            CementProduct = t.CementProduct,
            CementLot = t.CementLot,
            Leakage = (Proto.Leakage)(int)t.Leakage,
            LeakageSymptomatic = t.LeakageSymptomatic,
            RecordedAt = Timestamp.FromDateTimeOffset(t.RecordedAt),
            CementExpiry = t.CementExpiry?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
            UdiDi = t.UdiDi ?? "",
            OperatorId = t.OperatorId,
        }));
        if (record.Dose is { } dose)
        {
            message.Dose = new Proto.Dose
            {
                DoseAreaProductGyCm2 = dose.DoseAreaProductGyCm2,
                ReferenceAirKermaMgy = dose.ReferenceAirKermaMgy,
                FluoroscopySeconds = dose.FluoroscopySeconds,
                CtDlpMgyCm = dose.CtDlpMgyCm,
                ControlCtDone = dose.ControlCtDone,
            };
        }

        message.ConsentedLevels.AddRange(record.Booking.ConsentedLevels);
        message.SedationMode = record.Booking.SedationMode;
        message.Admission = record.Booking.Admission;
        message.AllergyClasses.AddRange(record.Booking.AllergyClasses);
        message.Indication = record.Booking.Indication;
        message.Pregnancy = record.Booking.Pregnancy;
        message.DurationMinutes = record.Booking.DurationMinutes;
        message.ProtocolVersion = record.ProtocolVersion;
        message.SignedOutBy = record.SignedOutBy ?? "";
        message.PreAnestheticVisitAt = ToTimestamp(record.PreAnestheticVisitAt);
        message.LastClearLiquidsAt = ToTimestamp(record.Fasting.LastClearLiquidsAt);
        message.LastLightMealAt = ToTimestamp(record.Fasting.LastLightMealAt);
        message.LastFattyMealAt = ToTimestamp(record.Fasting.LastFattyMealAt);
        foreach (var t in record.TimeOuts)
        {
            var timeOut = new Proto.TimeOutRecord
            {
                OperatorId = t.OperatorId,
                At = Timestamp.FromDateTimeOffset(t.At),
                AntibioticDrug = t.AntibioticDrug ?? "",
                AntibioticGivenAt = ToTimestamp(t.AntibioticGivenAt),
                EquipmentId = t.EquipmentId ?? "",
            };
            timeOut.ConfirmedLevels.AddRange(t.ConfirmedLevels);
            message.TimeOuts.Add(timeOut);
        }

        message.AbandonedLevels.AddRange(record.AbandonedLevels.Select(a => new Proto.AbandonedLevel { Level = a.Level, Reason = a.Reason, At = Timestamp.FromDateTimeOffset(a.At) }));
        message.Escalations.AddRange(record.Escalations.Select(e => new Proto.Escalation
        {
            Reason = e.Reason,
            Level = e.Level,
            RaisedAt = Timestamp.FromDateTimeOffset(e.RaisedAt),
            Open = e.Open,
        }));
        message.HasOpenEscalation = record.HasOpenEscalation;
        if (record.SkinFollowUp is { } skin)
        {
            message.SkinFollowUp = new Proto.SkinFollowUpTask { DueBy = Timestamp.FromDateTimeOffset(skin.DueBy), ReferenceAirKermaMgy = skin.ReferenceAirKermaMgy };
        }

        message.DoseAlerts.AddRange(record.DoseAlertCodes);

        message.Complications.AddRange(record.Complications.Select(c => new Proto.Complication { Code = c.Code, CirseGrade = c.CirseGrade }));
        message.AccessionNumber = record.Modality.AccessionNumber;
        message.ModalitySteps.AddRange(record.Modality.Steps.Select(ToProto));
        if (ModalityDose.Check(record.Modality.Steps, record.Dose) is { } check)
        {
            message.ModalityDoseCheck = new Proto.ModalityDoseCheck
            {
                FluoroscopySeconds = check.Fluoroscopy,
                DoseAreaProductGyCm2 = check.Dap,
                ReferenceAirKermaMgy = check.Kar,
                Final = check.Final,
                Result = check.Result,
            };
        }

        return message;
    }

    public static Proto.ModalityStep ToProto(PerformedStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return new Proto.ModalityStep
        {
            StepId = step.StepId,
            Status = (Proto.ProcedureStepStatus)(int)step.Status,
            StartedAt = ToTimestamp(step.StartedAt),
            EndedAt = ToTimestamp(step.EndedAt),
            FluoroscopySeconds = step.FluoroscopySeconds,
            DoseAreaProductGyCm2 = step.DoseAreaProductGyCm2,
            ReferenceAirKermaMgy = step.ReferenceAirKermaMgy,
            StationAeTitle = step.StationAeTitle,
            DiscontinuationReason = step.DiscontinuationReason,
            ReportedBy = step.ReportedBy,
        };
    }

    /// <summary>A case as a C-arm's worklist item: what the modality needs, pseudonymous ids and codes only.</summary>
    public static Proto.ModalityWorklistItem ToWorklistItem(CaseRecord record, string stationAeTitle)
    {
        ArgumentNullException.ThrowIfNull(record);
        var seq = record.Modality.AccessionSeq ?? 0;
        var item = new Proto.ModalityWorklistItem
        {
            AccessionNumber = record.Modality.AccessionNumber,
            RequestedProcedureId = seq > 0 ? Accession.RequestedProcedureId(seq) : "",
            RequestedProcedureCode = ModalityWorklist.ProcedureCode,
            RequestedProcedureCodingScheme = ModalityWorklist.CodingScheme,
            RequestedProcedureDescription = ModalityWorklist.Description(record.ScheduledLevels),
            PatientId = record.PatientId.ToString(),
            Pregnancy = record.Booking.Pregnancy,
            DicomPregnancyStatus = Accession.DicomPregnancyStatus(record.Booking.Pregnancy),
            Room = record.Room,
            ScheduledStationAeTitle = stationAeTitle,
            Modality = ModalityWorklist.Modality,
            ScheduledStart = Timestamp.FromDateTimeOffset(record.ScheduledStart),
            DurationMinutes = record.Booking.DurationMinutes,
            StudyInstanceUid = Accession.StudyInstanceUid(record.ReferralId),
            ReferralId = record.ReferralId.ToString(),
            SedationMode = record.Booking.SedationMode,
            Indication = record.Booking.Indication,
            CaseStatus = ToProto(record.State),
            StepStatus = record.Modality.LatestStatus is { } latest ? (Proto.ProcedureStepStatus)(int)latest : Proto.ProcedureStepStatus.Unspecified,
        };
        item.Levels.AddRange(record.ScheduledLevels);
        item.AllergyClasses.AddRange(record.Booking.AllergyClasses);
        return item;
    }

    /// <summary>
    /// The proto has no "cancelled" status: a cancelled booking reads as DISCONTINUED (it will not take place),
    /// without an end time (it never started). It is not on any worklist.
    /// </summary>
    public static Proto.CaseStatus ToProto(CaseState state) => state switch
    {
        CaseState.Scheduled => Proto.CaseStatus.Scheduled,
        CaseState.SignedIn => Proto.CaseStatus.SignedIn,
        CaseState.TimedOut => Proto.CaseStatus.TimedOut,
        CaseState.SignedOut => Proto.CaseStatus.SignedOut,
        CaseState.Completed => Proto.CaseStatus.Completed,
        CaseState.Discontinued or CaseState.Cancelled => Proto.CaseStatus.Discontinued,
        _ => Proto.CaseStatus.Unspecified,
    };

    private static Timestamp? ToTimestamp(DateTimeOffset? value) => value is { } v ? Timestamp.FromDateTimeOffset(v) : null;
}
