#!/usr/bin/env bash
# A new user's first walk through IrSuite, on the embedded suite (no servers to install):
#   the suite starts on free loopback ports, one patient goes from referral to discharge with irctl alone while the
#   department board's live feed (the feed the web page reads) is recorded, the OR simulator reports the procedure
#   steps (with duplicates and out-of-order delivery), and the case is exported as a FHIR R4 Bundle.
# Demo settings: the anaesthesia consult lead time is 0 days and the observation minimum 1 minute (site protocol keys),
# so the walk takes about two minutes of real time. Needs the .NET SDK, curl and jq. Everything it starts is stopped by
# process id at exit; its files are under a temporary directory it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in curl jq dotnet; do command -v "$tool" >/dev/null || { echo "walkthrough: $tool is required" >&2; exit 2; }; done

work=$(mktemp -d /tmp/irsuite-walkthrough-XXXXXX)
echo "walkthrough: files in $work"
dotnet build services/IrSuite.SuiteHost -c Release -v q -nologo >/dev/null
dotnet build services/Clients/IrSuite.Irctl -c Release -v q -nologo >/dev/null
dotnet build services/Clients/IrSuite.OrSimulator -c Release -v q -nologo >/dev/null
host="$PWD/services/IrSuite.SuiteHost/bin/Release/net10.0/IrSuite.SuiteHost.dll"
irctl_dll="$PWD/services/Clients/IrSuite.Irctl/bin/Release/net10.0/irctl.dll"
simulator_dll="$PWD/services/Clients/IrSuite.OrSimulator/bin/Release/net10.0/IrSuite.OrSimulator.dll"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
grpc_port=$(free_port); board_port=$(free_port); health_port=$(free_port)

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
( cd "$work" && exec env SiteProtocol__Anesthesia__ConsultLeadDays__Value=0 SiteProtocol__Observation__Minimum__Value=00:01:00 \
    Grpc__Address="127.0.0.1:$grpc_port" Board__HttpAddress="127.0.0.1:$board_port" Health__HttpAddress="127.0.0.1:$health_port" \
    Data__Directory="$work/data" dotnet "$host" > "$work/suite.log" 2>&1 ) &
pids+=($!)
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$health_port/healthz/ready" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$health_port/healthz/ready" >/dev/null || { echo "walkthrough: the suite did not become ready (see $work/suite.log)" >&2; exit 1; }

token() { (cd "$work" && dotnet "$host" token --sub "$1" --ttl 1h "${@:2}"); }
export IRCTL_ADDRESS="http://127.0.0.1:$grpc_port"
IRCTL_TOKEN=$(token dr-walkthrough --role scheduler --role radiologist --role anesthesiologist --role nurse)
export IRCTL_TOKEN
irctl() { dotnet "$irctl_dll" "$@"; }
# Polls a read until it succeeds and jq's test holds: the step waits for another service's event.
until_true() { local test=$1; shift; for _ in $(seq 1 100); do irctl "$@" -o json 2>/dev/null | jq -e "$test" >/dev/null && return 0; sleep 0.3; done; echo "walkthrough: timed out on irctl $*" >&2; return 1; }

echo "board page:  http://127.0.0.1:$board_port/board/ ($(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$board_port/board/"))"
curl -sN -H "Authorization: Bearer $IRCTL_TOKEN" "http://127.0.0.1:$board_port/board/events" > "$work/board-events.txt" &
pids+=($!)

referral=$(irctl referral submit --family-name Doe --given-name Jane --birth-date 1948-02-03 --mrn MRN-WALK-1 --referrer "Dr A" \
    --level L1 --allergy latex --pregnancy not-applicable -o json | jq -r .referralId)
echo "referral:    $referral"
irctl referral consult "$referral" --accept --sedation local-with-sedation >/dev/null
until_true '.referralId != null' anesthesia plan "$referral"
irctl anesthesia assess "$referral" --asa ii --inr 1.1 --platelets 210 --labs-taken-at now-2h --anxiety moderate --prone tolerates >/dev/null
irctl anesthesia plan-sedation "$referral" --mode local-with-sedation >/dev/null
irctl anesthesia sign-clearance "$referral" --decision fit >/dev/null
irctl referral consent "$referral" --level L1 --all-information-given >/dev/null
irctl referral labs "$referral" --inr 1.1 --platelets 210 --crcl 65 --taken-at now-1h >/dev/null
slot=$(date -u -d '+20 min' +%Y-%m-%dT%H:%M:00Z)
irctl appointment book "$referral" --kind procedure --start "$slot" --duration 60 --room IR-1 --admission ambulatory >/dev/null
until_true '.slotStart != null' anesthesia plan "$referral"
irctl anesthesia visit "$referral" >/dev/null
until_true '.preAnestheticVisitAt != null' procedure summary "$referral"
irctl procedure sign-in "$referral" --all-confirmed --last-clear-liquids now-3h --last-light-meal now-12h >/dev/null
irctl procedure time-out "$referral" --level L1 --all-confirmed --antibiotic "cefazolin 1 g IV" --antibiotic-given-at now-20m --equipment CARM-2 >/dev/null

echo "--- the OR simulator (room IR-1): worklist, then the procedure steps with duplicates, shuffled"
dotnet "$simulator_dll" --address "$IRCTL_ADDRESS" --token "$(token or-room-1 --role or-system)" --room IR-1 --date "${slot%%T*}" --duplicates --shuffle --seed 7

irctl procedure level "$referral" L1 --approach bipedicular --gauge 11 --cement-ml 4.5 --product "PMMA bone cement" --lot LOT-WALK-1 --expiry 2030-12-31 >/dev/null
irctl procedure dose "$referral" --dap 18.4 --air-kerma 310 --fluoro-seconds 240 >/dev/null
irctl procedure sign-out "$referral" --treated-level L1 --all-confirmed >/dev/null
irctl procedure complete "$referral" >/dev/null
until_true '.entries | any(.stage == "BOARD_STAGE_IN_OBSERVATION")' board --once --stage in-observation
irctl board --once --stage in-observation
irctl discharge observe "$referral" --hr 72 --sbp 128 --dbp 76 --spo2 97 --rr 14 --temp 36.8 --pain 2 --legs-normal --puncture-site-ok \
    --aldrete 2,2,2,2,2 --padss 2,2,2,2,2 >/dev/null
echo "--- discharge before the minimum observation (refused by the clinical gate, exit 4):"
irctl discharge patient "$referral" --destination home --escort-present || echo "(exit $?)"
echo "waiting for the demo's 1-minute observation minimum..."
for _ in $(seq 1 120); do irctl discharge status "$referral" -o json | jq -e .minimumElapsed >/dev/null && break; sleep 1; done
irctl discharge patient "$referral" --destination home --escort-present -o json | jq -c '{destination, dischargedAt}'
until_true '.entries | any(.stage == "BOARD_STAGE_DISCHARGED")' board --once --stage discharged
irctl fhir export "$referral" --out "$work/case.fhir.json"
echo "--- the board's live feed recorded $(grep -c '^data:' "$work/board-events.txt") messages; this patient's stages, in order:"
sed -n 's/^data: //p' "$work/board-events.txt" | jq -r --arg r "$referral" '.. | objects | select(.referralId? == $r) | .stage' | uniq | tr '\n' ' '
echo
