using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Anesthesia.V1;
using IrSuite.Contracts.Scheduling;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Grpc.Server;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.Domain;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Grpc;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Idempotency;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.ServiceDefaults.Security;
using Microsoft.Extensions.Options;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Scheduling.Grpc;

/// <summary>ir.scheduling.v1.SchedulingService: validation, then one transaction per command (state + outbox).</summary>
public sealed partial class SchedulingGrpcService(
    SchedulingDatabase database, OutboxWriter outbox, ServiceChannels channels, TimeProvider time, SiteProtocol protocol, IOptions<IdempotencyOptions>? idempotency = null)
{
    private readonly IdempotentCommands _commands = new(database, time, idempotency?.Value);

    private static readonly Method<GetPlanRequest, AnesthesiaPlan> GetAnesthesiaPlan =
        Method<GetPlanRequest, AnesthesiaPlan>.Create(AnesthesiaReflection.Descriptor.Services[0], "GetPlan");

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public async Task<Referral> SubmitReferral(SubmitReferralRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        if (request.Patient is null)
        {
            v.Fail("patient", "Required.");
        }
        else
        {
            v.Required("patient.family_name", request.Patient.FamilyName, 100)
                .Required("patient.given_name", request.Patient.GivenName, 100)
                .Required("patient.medical_record_number", request.Patient.MedicalRecordNumber, 50);
            if (!DateOnly.TryParseExact(request.Patient.BirthDate, "yyyy-MM-dd", out var birth) || birth > DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime))
            {
                v.Fail("patient.birth_date", "Must be a past date, YYYY-MM-DD.");
            }
        }

        if (request.Referrer is null)
        {
            v.Fail("referrer", "Required.");
        }
        else
        {
            v.Required("referrer.name", request.Referrer.Name, 100).Optional("referrer.organisation", request.Referrer.Organisation, 100);
        }

        v.Defined("indication", request.Indication);
        var levels = v.Levels("levels", request.Levels);
        v.Defined("pregnancy", request.Pregnancy);
        for (var i = 0; i < request.Medications.Count; i++)
        {
            v.Required($"medications[{i}].name", request.Medications[i].Name, 100);
        }

        for (var i = 0; i < request.Allergies.Count; i++)
        {
            v.Required($"allergies[{i}]", request.Allergies[i], 100);
        }

        for (var i = 0; i < request.Imaging.Count; i++)
        {
            v.Defined($"imaging[{i}].modality", request.Imaging[i].Modality);
        }

        v.ThrowIfInvalid();

        var now = time.GetUtcNow();
        var referralId = Guid.NewGuid();
        return await _commands.RunAsync(context, request, async (connection, transaction) =>
        {
            var patientId = await SchedulingRepository.GetOrCreatePatientAsync(connection, transaction, request.Patient!);
            var referral = new ReferralRow
            {
                ReferralId = referralId.ToString(),
                PatientId = patientId.ToString(),
                Status = (int)ReferralStatus.Submitted,
                Indication = (int)request.Indication,
                Levels = SchedulingRepository.ToJson(levels),
                Pregnancy = (int)request.Pregnancy,
                Details = Json.Format(request),
                SubmittedAt = now,
                Version = 1,
                ProtocolVersion = protocol.AppliedVersion,
            };
            await SchedulingRepository.InsertReferralAsync(connection, transaction, referral);
            await SchedulingRepository.AddTimelineAsync(connection, transaction, Guid.NewGuid().ToString(), referralId, now, nameof(ReferralSubmitted), SchedulingModule.ServiceName, $"levels {string.Join(", ", levels)}");
            await outbox.AddAsync(connection, transaction, new ReferralSubmitted(referralId, patientId, request.Indication.ToString(), levels, now), referralId);
            await BoardRepository.ApplyAsync(connection, transaction, referralId, now, entry => entry);
            return referral;
        }, ToProto);
    }

    public async Task<Referral> GetReferral(GetReferralRequest request, ServerCallContext context)
    {
        var id = ValidateId("referral_id", request.ReferralId);
        await using var connection = await database.OpenAsync(context.CancellationToken);
        var referral = ToProto(await SchedulingRepository.FindReferralAsync(connection, null, id) ?? throw Rpc.NotFound("Referral", request.ReferralId));
        // Identity only for the roles that need it to act on the referral (decision 0014); others see the pseudonym.
        var caller = context.Caller();
        if (!caller.IsInRole(IrSuite.ServiceDefaults.Security.Roles.Scheduler) && !caller.IsInRole(IrSuite.ServiceDefaults.Security.Roles.Radiologist))
        {
            referral.Patient = null;
        }

        return referral;
    }

    public async Task<ListReferralsResponse> ListReferrals(ListReferralsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        if (request.Status != ReferralStatus.Unspecified)
        {
            v.Defined("status", request.Status);
        }

        v.Range("page_size", request.PageSize, 0, 500);
        var offset = 0;
        if (request.PageToken.Length > 0 && (!int.TryParse(request.PageToken, out offset) || offset < 0))
        {
            v.Fail("page_token", "Not a token from a previous page.");
        }

        v.ThrowIfInvalid();
        var size = request.PageSize == 0 ? 50 : request.PageSize;
        await using var connection = await database.OpenAsync(context.CancellationToken);
        var rows = await SchedulingRepository.ListReferralsAsync(connection, request.Status, size + 1, offset);
        var response = new ListReferralsResponse { NextPageToken = rows.Count > size ? (offset + size).ToString(System.Globalization.CultureInfo.InvariantCulture) : "" };
        response.Referrals.AddRange(rows.Take(size).Select(ToProto));
        return response;
    }

    public async Task<Referral> RecordIrConsult(RecordIrConsultRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("referral_id", request.ReferralId);
        if (request.Accepted)
        {
            v.Defined("expected_sedation", request.ExpectedSedation);
        }
        else
        {
            v.Required("decline_reason", request.DeclineReason, 200);
        }

        v.ThrowIfInvalid();
        var now = time.GetUtcNow();
        return await _commands.RunAsync(context, request, async (connection, transaction) =>
        {
            var referral = await SchedulingRepository.FindReferralAsync(connection, transaction, id) ?? throw Rpc.NotFound("Referral", request.ReferralId);
            var status = ReferralWorkflow.DecideConsult((ReferralStatus)referral.Status, request.Accepted);
            var version = referral.Version;
            referral.Status = (int)status;
            referral.ExpectedSedation = (int)request.ExpectedSedation;
            referral.DeclineReason = request.Accepted ? null : request.DeclineReason;
            referral.OsteoporosisSuspected = request.Accepted && request.OsteoporosisSuspected ? 1 : 0;
            await SchedulingRepository.UpdateReferralAsync(connection, transaction, referral, status, version);
            var patientId = Guid.Parse(referral.PatientId);
            if (request.Accepted)
            {
                var levels = SchedulingRepository.FromJson(referral.Levels);
                await outbox.AddAsync(connection, transaction, new ReferralAccepted(id, patientId, levels, request.ExpectedSedation.ToString(), now), id);
                await SchedulingRepository.AddTimelineAsync(connection, transaction, Guid.NewGuid().ToString(), id, now, nameof(ReferralAccepted), SchedulingModule.ServiceName, $"expected sedation {request.ExpectedSedation}");
                await BoardRepository.ApplyAsync(connection, transaction, id, now, entry => entry with
                {
                    Stage = (long)BoardRules.AfterAccepted(request.ExpectedSedation),
                    Sedation = (long)request.ExpectedSedation,
                });
            }
            else
            {
                await SchedulingRepository.AddTimelineAsync(connection, transaction, Guid.NewGuid().ToString(), id, now, "ReferralDeclined", SchedulingModule.ServiceName, "declined at the IR consult");
                await BoardRepository.RemoveAsync(connection, transaction, id);
            }

            return await SchedulingRepository.FindReferralAsync(connection, transaction, id);
        }, row => ToProto(row!));
    }

    public async Task<Appointment> BookAppointment(BookAppointmentRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("referral_id", request.ReferralId);
        v.Defined("kind", request.Kind);
        var start = v.Timestamp("start", request.Start);
        v.Range("duration_minutes", request.DurationMinutes, 1, 720);
        var bed = "";
        var admission = request.Admission;
        if (request.Kind == AppointmentKind.Procedure)
        {
            v.Required("room", request.Room, 20);
            if (request.RecoveryBed.Length > 0 && !RecoveryBeds.TryNormalize(request.RecoveryBed, protocol.Scheduling.RecoveryBeds, out bed))
            {
                v.Fail("recovery_bed", $"Must be REC-1 to {RecoveryBeds.Name(protocol.Scheduling.RecoveryBeds)} (Scheduling.RecoveryBeds), or empty to assign the first free bed.");
            }

            if (admission != CommonV1.AdmissionType.Unspecified)
            {
                v.Defined("admission", admission);
            }
            else
            {
                admission = ToProto(protocol.Scheduling.DefaultAdmission);
            }
        }
        else if (admission != CommonV1.AdmissionType.Unspecified)
        {
            v.Fail("admission", "Only a procedure booking has an admission type.");
        }

        v.ThrowIfInvalid();

        // Read the clearance before opening the transaction: a remote call must not hold database locks.
        // A retry of a booking already made is answered before calling the anaesthesia service.
        if (await _commands.FindAsync<BookAppointmentRequest, Appointment>(context, request) is { } booked)
        {
            return booked;
        }

        ClearanceView? clearance = null;
        if (request.Kind == AppointmentKind.Procedure)
        {
            clearance = await ReadClearanceAsync(id, context);
        }

        var now = time.GetUtcNow();
        var appointmentId = Guid.NewGuid();
        var appliedVersion = protocol.AppliedVersion;
        return await _commands.RunAsync(context, request, async (connection, transaction) =>
        {
            var referral = await SchedulingRepository.FindReferralAsync(connection, transaction, id) ?? throw Rpc.NotFound("Referral", request.ReferralId);
            var status = (ReferralStatus)referral.Status;
            var startMs = start.ToUnixTimeMilliseconds();
            var endMs = startMs + (request.DurationMinutes * 60_000L);
            var patientId = Guid.Parse(referral.PatientId);
            ProcedureScheduled? scheduled = null;
            if (request.Kind == AppointmentKind.Procedure)
            {
                if (status is not (ReferralStatus.Submitted or ReferralStatus.Declined))
                {
                    ReferralWorkflow.CheckCanBook(status, request.Kind);
                }

                // Every missing readiness item at once, in the fixed gate order (nothing is written on refusal).
                var facts = await ReadFactsAsync(connection, transaction, referral, clearance);
                var report = ReadinessGate.Evaluate(facts, start, protocol);
                if (report.Refusal() is { } refusal)
                {
                    throw refusal;
                }

                if (await SchedulingRepository.IsRoomTakenAsync(connection, transaction, request.Room, startMs, endMs))
                {
                    throw Rpc.Gate("ROOM_UNAVAILABLE", $"Room {request.Room} is already booked at that time.");
                }

                var (bedFrom, bedUntil) = RecoveryBeds.HoldWindow(DateTimeOffset.FromUnixTimeMilliseconds(endMs), protocol.Observation.Minimum.Value);
                var taken = await SchedulingRepository.TakenBedsAsync(connection, transaction, bedFrom.ToUnixTimeMilliseconds(), bedUntil.ToUnixTimeMilliseconds());
                if (bed.Length == 0)
                {
                    bed = RecoveryBeds.FirstFree(protocol.Scheduling.RecoveryBeds, taken)
                        ?? throw Rpc.Gate(RecoveryBeds.Unavailable, $"All {protocol.Scheduling.RecoveryBeds} recovery beds are taken during the observation window (Scheduling.RecoveryBeds, Observation.Minimum).");
                }
                else if (taken.Contains(bed))
                {
                    throw Rpc.Gate(RecoveryBeds.Unavailable, $"Recovery bed {bed} is taken during the observation window.");
                }

                await SchedulingRepository.UpdateReferralAsync(connection, transaction, referral, ReferralStatus.Scheduled, referral.Version);
                var submitted = JsonParser.Default.Parse<SubmitReferralRequest>(referral.Details);
                scheduled = new ProcedureScheduled(id, patientId, SchedulingRepository.FromJson(referral.Levels), request.Room, bed, start, now)
                {
                    ConsentedLevels = facts.Consent!.Levels,
                    SedationMode = Codes.Sedation(report.Sedation),
                    Admission = Codes.Admission(admission),
                    AllergyClasses = AllergyClassifier.Classify(submitted.Allergies, protocol.Antibiotics),
                    Pregnancy = Codes.Pregnancy((CommonV1.PregnancyStatus)referral.Pregnancy),
                    Indication = Codes.Indication((Indication)referral.Indication),
                    DurationMinutes = request.DurationMinutes,
                    ProtocolVersion = appliedVersion,
                };
            }
            else
            {
                ReferralWorkflow.CheckCanBook(status, request.Kind);
                if (request.Kind == AppointmentKind.FollowUp && await SchedulingRepository.FindActiveAppointmentAsync(connection, transaction, id, AppointmentKind.FollowUp) is { } existing)
                {
                    // One follow-up per pathway (the discharge books it automatically): cancel it to book another.
                    throw Rpc.AlreadyExists("FollowUpAppointment", existing.AppointmentId);
                }
            }

            var row = new AppointmentRow
            {
                AppointmentId = appointmentId.ToString(),
                ReferralId = referral.ReferralId,
                Kind = (int)request.Kind,
                StartAt = start,
                StartMs = startMs,
                EndMs = endMs,
                BedUntilMs = request.Kind == AppointmentKind.Procedure ? endMs + (long)protocol.Observation.Minimum.Value.TotalMilliseconds : endMs,
                DurationMinutes = request.DurationMinutes,
                Room = request.Kind == AppointmentKind.Procedure ? request.Room : null,
                RecoveryBed = request.Kind == AppointmentKind.Procedure ? bed : null,
                Admission = request.Kind == AppointmentKind.Procedure ? (int)admission : 0,
                ProtocolVersion = appliedVersion,
                WithXray = request.Kind == AppointmentKind.FollowUp ? 1 : 0,
            };
            if (scheduled is not null)
            {
                await outbox.AddAsync(connection, transaction, scheduled, id);
                await BoardRepository.ApplyAsync(connection, transaction, id, now, entry => entry with
                {
                    Stage = (long)BoardRules.Advance(entry.BoardStage, IrSuite.Board.V1.BoardStage.Scheduled),
                    Room = request.Room,
                    RecoveryBed = bed,
                    ScheduledStartMs = startMs,
                    Admission = (long)admission,
                    Sedation = BoardRules.Sedation(scheduled.SedationMode) is var mode && mode != CommonV1.SedationMode.Unspecified ? (long)mode : entry.Sedation,
                });
            }
            else if (request.Kind == AppointmentKind.FollowUp)
            {
                await outbox.AddAsync(connection, transaction, new FollowUpBooked(id, patientId, start, now) { WithXRay = true }, id);
            }

            await SchedulingRepository.InsertAppointmentAsync(connection, transaction, row);
            var summary = request.Kind == AppointmentKind.Procedure ? $"room {request.Room}, bed {bed}, {Codes.Admission(admission)}" : request.Kind.ToString();
            await SchedulingRepository.AddTimelineAsync(connection, transaction, appointmentId.ToString(), id, now, $"{request.Kind}Booked", SchedulingModule.ServiceName, summary);
            return row;
        }, ToProto);
    }

    public async Task<Appointment> CancelAppointment(CancelAppointmentRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("appointment_id", request.AppointmentId);
        v.Required("reason", request.Reason, 100);
        v.ThrowIfInvalid();
        var now = time.GetUtcNow();
        return await _commands.RunAsync(context, request, async (connection, transaction) =>
        {
            var appointment = await SchedulingRepository.FindAppointmentAsync(connection, transaction, id) ?? throw Rpc.NotFound("Appointment", request.AppointmentId);
            if (appointment.Cancelled != 0)
            {
                throw Rpc.Gate("APPOINTMENT_ALREADY_CANCELLED", "The appointment is already cancelled.");
            }

            var referralId = Guid.Parse(appointment.ReferralId);
            var referral = (await SchedulingRepository.FindReferralAsync(connection, transaction, referralId))!;
            if ((AppointmentKind)appointment.Kind == AppointmentKind.Procedure)
            {
                if ((ReferralStatus)referral.Status != ReferralStatus.Scheduled)
                {
                    throw Rpc.Gate("PROCEDURE_ALREADY_PERFORMED", "A procedure that has been performed cannot be cancelled.");
                }

                await SchedulingRepository.UpdateReferralAsync(connection, transaction, referral, ReferralStatus.Accepted, referral.Version);
                await outbox.AddAsync(connection, transaction, new ProcedureCancelled(referralId, Guid.Parse(referral.PatientId), now), referralId);
                await BoardRepository.ApplyAsync(connection, transaction, referralId, now, BoardRules.AfterCancelled);
            }

            await SchedulingRepository.CancelAppointmentAsync(connection, transaction, id, request.Reason);
            await SchedulingRepository.AddTimelineAsync(connection, transaction, Guid.NewGuid().ToString(), referralId, now, $"{(AppointmentKind)appointment.Kind}Cancelled", SchedulingModule.ServiceName, "cancelled");
            return await SchedulingRepository.FindAppointmentAsync(connection, transaction, id);
        }, row => ToProto(row!));
    }

    public async Task<Pathway> GetPathway(GetPathwayRequest request, ServerCallContext context)
    {
        var id = ValidateId("referral_id", request.ReferralId);
        await using var connection = await database.OpenAsync(context.CancellationToken);
        var referral = await SchedulingRepository.FindReferralAsync(connection, null, id) ?? throw Rpc.NotFound("Referral", request.ReferralId);
        var pathway = new Pathway { Referral = ToProto(referral) };
        var appointments = await SchedulingRepository.ListAppointmentsAsync(connection, id);
        pathway.Appointments.AddRange(appointments.Select(ToProto));
        if (appointments.FirstOrDefault(a => a.Kind == (int)AppointmentKind.FollowUp && a.Cancelled == 0) is { } followUp)
        {
            pathway.FollowUp = ToProto(followUp);
        }

        if (await SchedulingRepository.FindFractureLiaisonAsync(connection, null, id) is { } liaison)
        {
            pathway.FractureLiaison = new FractureLiaisonTask
            {
                CreatedAt = Timestamp.FromDateTimeOffset(liaison.CreatedAt),
                DueBy = Timestamp.FromDateTimeOffset(liaison.DueBy),
                FractureAt = Timestamp.FromDateTimeOffset(liaison.FractureAt),
                ProtocolVersion = liaison.ProtocolVersion,
            };
        }

        pathway.Timeline.AddRange((await SchedulingRepository.ListTimelineAsync(connection, id)).Select(t => new CommonV1.TimelineEntry
        {
            OccurredAt = Timestamp.FromDateTimeOffset(t.OccurredAt),
            Event = t.Event,
            Source = t.Source,
            Summary = t.Summary,
        }));
        return pathway;
    }

    private async Task<ClearanceView?> ReadClearanceAsync(Guid referralId, ServerCallContext context)
    {
        try
        {
            var plan = await channels.Get("anesthesia-consultation").UnaryAsync(
                GetAnesthesiaPlan,
                new GetPlanRequest { ReferralId = referralId.ToString() },
                new CallOptions().WithTimeout(TimeSpan.FromSeconds(5)));
            return new ClearanceView(
                plan.Status == CaseStatus.Cleared && plan.Clearance != ClearanceDecision.Unspecified,
                plan.Clearance == ClearanceDecision.NotFit,
                plan.Sedation)
            {
                AssessedAt = plan.AssessedAt?.ToDateTimeOffset(),
            };
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The anaesthesia service is unreachable; the clearance cannot be checked. Retry later."));
        }
    }

    private static Guid ValidateId(string field, string value)
    {
        var v = new RequestValidator();
        var id = v.Id(field, value);
        v.ThrowIfInvalid();
        return id;
    }

    internal static Referral ToProto(ReferralRow row)
    {
        var submitted = JsonParser.Default.Parse<SubmitReferralRequest>(row.Details);
        var referral = new Referral
        {
            ReferralId = row.ReferralId,
            PatientId = row.PatientId,
            Patient = submitted.Patient,
            Referrer = submitted.Referrer,
            Indication = (Indication)row.Indication,
            Pregnancy = (CommonV1.PregnancyStatus)row.Pregnancy,
            Status = (ReferralStatus)row.Status,
            SubmittedAt = Timestamp.FromDateTimeOffset(row.SubmittedAt),
            ExpectedSedation = (CommonV1.SedationMode)row.ExpectedSedation,
            DeclineReason = row.DeclineReason ?? "",
            ProtocolVersion = row.ProtocolVersion,
            OsteoporosisSuspected = row.OsteoporosisSuspected != 0,
        };
        referral.Levels.AddRange(SchedulingRepository.FromJson(row.Levels));
        referral.Imaging.AddRange(submitted.Imaging);
        referral.Medications.AddRange(submitted.Medications);
        referral.Allergies.AddRange(submitted.Allergies);
        return referral;
    }

    private static Appointment ToProto(AppointmentRow row) => new()
    {
        AppointmentId = row.AppointmentId,
        ReferralId = row.ReferralId,
        Kind = (AppointmentKind)row.Kind,
        Start = Timestamp.FromDateTimeOffset(row.StartAt),
        DurationMinutes = row.DurationMinutes,
        Room = row.Room ?? "",
        RecoveryBed = row.RecoveryBed ?? "",
        Cancelled = row.Cancelled != 0,
        Admission = (CommonV1.AdmissionType)row.Admission,
        ProtocolVersion = row.ProtocolVersion,
        WithXray = row.WithXray != 0,
    };

    private static CommonV1.AdmissionType ToProto(AdmissionKind kind) =>
        kind == AdmissionKind.Hospitalised ? CommonV1.AdmissionType.Hospitalised : CommonV1.AdmissionType.Ambulatory;
}
