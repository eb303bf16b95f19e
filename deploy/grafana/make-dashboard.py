#!/usr/bin/env python3
"""Writes deploy/grafana/dashboards/talko.json: the panels an on-call engineer needs first (docs/operations.md).

The dashboard is generated so its queries stay in one readable place: run this after changing a panel.
With --check it writes nothing and fails when the committed JSON differs (scripts/test.sh runs that).
With --rules FILE it also writes every panel's query as a recording rule, so `promtool check rules FILE` parses
each one (scripts/test.sh does: a typo in a query fails the run, not the dashboard at 3 a.m.).
"""
import json
import os
import sys

DS = {"type": "prometheus", "uid": "talko-prometheus"}
panels = []
y = 0


def row(title):
    global y
    panels.append({"type": "row", "title": title, "collapsed": False, "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
    y += 1


def panel(title, kind, targets, unit="short", w=6, h=7, x=0, description=""):
    panels.append({
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DS,
        "gridPos": {"h": h, "w": w, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}} if kind == "timeseries" else {"reduceOptions": {"calcs": ["lastNotNull"]}},
        "targets": [{"datasource": DS, "expr": expr, "legendFormat": legend, "refId": chr(65 + i)} for i, (expr, legend) in enumerate(targets)],
    })


def line(*specs, h=7):
    """Panels side by side on one line: each spec is (title, kind, targets, unit, description)."""
    global y
    width = 24 // len(specs)
    for i, (title, kind, targets, unit, description) in enumerate(specs):
        panel(title, kind, targets, unit, w=width, h=h, x=i * width, description=description)
    y += h


row("Now")
line(
    ("Live calls", "stat", [("sum(talko_calls_active)", "calls")], "short", "Calls whose mixer runs on an instance."),
    ("Legs by codec and transport", "stat", [("sum by (talko_codec, network_transport) (talko_call_legs_active)", "{{talko_codec}} {{network_transport}}")], "short", "SIP legs in calls."),
    ("Realtime connections", "stat", [("sum(talko_realtime_connections)", "connections")], "short", "Authenticated SignalR connections."),
    ("Draining instances", "stat", [('sum(talko_instance_state{talko_instance_state="draining"})', "draining")], "short", "Instances in drain: 0 outside a deploy."),
)
line(
    ("HTTP 5xx ratio", "timeseries", [('sum by (instance) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[5m])) / clamp_min(sum by (instance) (rate(http_server_request_duration_seconds_count[5m])), 0.001)', "{{instance}}")], "percentunit", "Alert TalkoHttp5xxRate above 5 %."),
    ("HTTP p95 latency by route", "timeseries", [("histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket[5m])))", "{{http_route}}")], "s", ""),
)
row("Media")
line(
    ("Late mixer ticks", "timeseries", [("sum by (instance) (rate(talko_mixer_ticks_late_total[5m])) / clamp_min(sum by (instance) (rate(talko_mixer_ticks_total[5m])), 1)", "{{instance}}")], "percentunit", "Alert TalkoMixerTicksLate above 1 %."),
    ("Skipped mixer ticks", "timeseries", [("sum by (instance) (increase(talko_mixer_ticks_skipped_total[5m]))", "{{instance}}")], "short", "Each is a 20 ms gap."),
    ("Mixer tick p99", "timeseries", [("histogram_quantile(0.99, sum by (le, instance) (rate(talko_mixer_tick_duration_seconds_bucket[5m])))", "{{instance}}")], "s", "Must stay well under 20 ms."),
)
line(
    ("RTP packets", "timeseries", [("sum by (talko_rtp_direction) (rate(talko_rtp_packets_total[1m]))", "{{talko_rtp_direction}}")], "pps", ""),
    ("RTP loss", "timeseries", [("sum(rate(talko_rtp_packets_lost_total[5m])) / clamp_min(sum(rate(talko_rtp_packets_lost_total[5m])) + sum(rate(talko_rtp_packets_total{talko_rtp_direction=\"received\"}[5m])), 1)", "lost")], "percentunit", "Share of the legs' packets that never arrived."),
    ("RTP discarded by reason", "timeseries", [("sum by (talko_rtp_discard_reason) (rate(talko_rtp_packets_discarded_total[5m]))", "{{talko_rtp_discard_reason}}")], "pps", "unknown_source: packets from an address that is not the leg's (ADR 0167)."),
)
line(
    ("Jitter p95", "timeseries", [("histogram_quantile(0.95, sum by (le, talko_rtp_direction) (rate(talko_rtp_jitter_seconds_bucket[5m])))", "{{talko_rtp_direction}}")], "s", "From RTCP, per leg and interval."),
    ("Round trip p95", "timeseries", [("histogram_quantile(0.95, sum by (le) (rate(talko_rtcp_round_trip_time_seconds_bucket[5m])))", "rtt")], "s", "From the devices' RTCP receiver reports."),
)
row("SIP")
line(
    ("Requests by method", "timeseries", [('sum by (sip_method) (rate(talko_sip_requests_total{talko_sip_direction="received"}[5m]))', "{{sip_method}}")], "reqps", ""),
    ("Responses sent by status", "timeseries", [('sum by (sip_status_code) (rate(talko_sip_responses_total{talko_sip_direction="sent"}[5m]))', "{{sip_status_code}}")], "reqps", ""),
    ("Authentication failures", "timeseries", [("sum by (instance, talko_sip_auth_result) (rate(talko_sip_auth_failures_total[5m]))", "{{instance}} {{talko_sip_auth_result}}")], "reqps", "Alert TalkoSipAuthFailureSpike."),
)
line(
    ("Registrations", "timeseries", [("sum by (talko_sip_registration_outcome) (rate(talko_sip_registrations_total[5m]))", "{{talko_sip_registration_outcome}}")], "reqps", ""),
    ("Live transactions", "timeseries", [("sum by (instance, talko_sip_transaction_side) (talko_sip_transactions_active)", "{{instance}} {{talko_sip_transaction_side}}")], "short", ""),
    ("Malformed messages", "timeseries", [("sum by (talko_sip_action) (rate(talko_sip_malformed_total[5m]))", "{{talko_sip_action}}")], "reqps", ""),
)
row("Notifications and awareness")
line(
    ("Outbox pending", "timeseries", [("max(talko_outbox_pending)", "pending")], "short", "The deployment's outbox (every instance samples it)."),
    ("Oldest pending notification", "timeseries", [("max(talko_outbox_oldest_pending_age_seconds)", "age")], "s", "Alert TalkoOutboxBacklogOld above 5 minutes."),
    ("Deliveries by provider and outcome", "timeseries", [("sum by (talko_notification_provider, talko_notification_outcome) (rate(talko_notifications_deliveries_total[5m]))", "{{talko_notification_provider}} {{talko_notification_outcome}}")], "reqps", ""),
)
line(
    ("Awareness updates", "timeseries", [("sum(rate(talko_awareness_updates_total[5m]))", "updates")], "ops", ""),
    ("Awareness expiries", "timeseries", [("sum by (talko_awareness_expiry) (rate(talko_awareness_expiries_total[5m]))", "{{talko_awareness_expiry}}")], "ops", "Awareness that ended without a goodbye."),
)

dashboard = {
    "uid": "talko-overview",
    "title": "Talko",
    "tags": ["talko"],
    "timezone": "utc",
    "schemaVersion": 39,
    "version": 1,
    "refresh": "30s",
    "time": {"from": "now-3h", "to": "now"},
    "templating": {"list": []},
    "annotations": {"list": []},
    "panels": [dict(p, id=i + 1) for i, p in enumerate(panels)],
}

if "--rules" in sys.argv:
    queries = [t["expr"] for p in panels for t in p.get("targets", [])]
    with open(sys.argv[sys.argv.index("--rules") + 1], "w") as f:
        f.write("groups:\n  - name: dashboard-queries\n    rules:\n")
        for i, expr in enumerate(queries):
            f.write(f"      - record: dashboard:query_{i}\n        expr: {json.dumps(expr)}\n")

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards", "talko.json")
text = json.dumps(dashboard, indent=2) + "\n"
if "--check" in sys.argv:
    with open(out) as f:
        if f.read() != text:
            sys.exit(f"{out} is out of date: run deploy/grafana/make-dashboard.py")
else:
    with open(out, "w") as f:
        f.write(text)
