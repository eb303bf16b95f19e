#!/usr/bin/env python3
"""Joins plain-RTP participants to a Janus AudioBridge room for scripts/bench-media.sh.

    janus-join.py URL ROOM CODEC PEERS_FILE OUT_FILE

PEERS_FILE: the load generator's RTP port per participant, one per line. For each, one handle on one session joins
ROOM with {"rtp": {"ip": "127.0.0.1", "port": peer}} (allow_rtp_participants) and the codec; Janus answers in the
"joined" event with the port it receives on. OUT_FILE gets "peer_port janus_port" lines.
"""
import json
import sys
import urllib.request

url, room, codec, peers_file, out_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
counter = 0


def post(path, body):
    global counter
    counter += 1
    body["transaction"] = f"t{counter}"
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    if answer.get("janus") == "error":
        raise SystemExit(f"janus-join: {path} {body}: {answer}")
    return answer


def poll(session):
    with urllib.request.urlopen(f"{url}/{session}?maxev=50", timeout=40) as response:
        answer = json.load(response)
    return answer if isinstance(answer, list) else [answer]


peers = [int(line) for line in open(peers_file) if line.strip()]
session = post("", {"janus": "create"})["data"]["id"]
handles = {}
for peer in peers:
    handle = post(f"/{session}", {"janus": "attach", "plugin": "janus.plugin.audiobridge"})["data"]["id"]
    handles[handle] = peer
    rtp = {"ip": "127.0.0.1", "port": peer, "payload_type": 111 if codec == "opus" else 0, "audiolevel_ext": 0, "fec": codec == "opus"}
    answer = post(f"/{session}/{handle}", {"janus": "message", "body": {
        "request": "join", "room": room, "display": f"p{peer}", "codec": codec, "rtp": rtp}})
    if answer.get("janus") not in ("ack", "event"):
        raise SystemExit(f"janus-join: join answered {answer}")

janus_ports = {}
while len(janus_ports) < len(peers):
    for event in poll(session):
        data = event.get("plugindata", {}).get("data", {})
        if data.get("audiobridge") == "joined" and event.get("sender") in handles and "rtp" in data:
            janus_ports[event["sender"]] = data["rtp"]["port"]
        elif data.get("error"):
            raise SystemExit(f"janus-join: {data}")

with open(out_file + ".tmp", "w") as out:
    for handle, peer in handles.items():
        out.write(f"{peer} {janus_ports[handle]}\n")
import os
os.replace(out_file + ".tmp", out_file)
print(f"janus-join: {len(peers)} participants joined room {room} ({codec})")
