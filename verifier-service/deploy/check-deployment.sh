#!/usr/bin/env bash
# Runs the production layout of docs/deployment.md on one machine, on loopback only, and checks
# each step: PostgreSQL, two instances sharing it and one data directory, HAProxy with TLS in
# front, an instance killed mid-scan, backup and restore of keys and reports, and an upgrade of a
# data directory written before Flyway. Needs root (initdb runs as user postgres), Debian's
# postgresql and haproxy packages, openssl, curl, python3, bible-kjv, and the built jar:
#
#   mvn -B -q -DskipTests -Dhallmark.tokenizer.skipFetch=true -pl verifier-service -am package
#   bash verifier-service/deploy/check-deployment.sh [OLD_JAR]
#
# OLD_JAR (optional): a jar built before Flyway (e.g. commit 8ab89da), for the upgrade step.
# Everything lives under /tmp/hm-deploy and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=$PWD/verifier-service/target/hallmark-verifier.jar
OLD_JAR=${1:-}
W=/tmp/hm-deploy
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGPORT=55432
step() { printf '\n== %s\n' "$*"; }
ok() { printf 'ok: %s\n' "$*"; }
j() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f $W/haproxy.pid ] && kill "$(cat $W/haproxy.pid)" 2>/dev/null || true
  [ -f $W/pg/data/postmaster.pid ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D $W/pg/data -m fast -w stop >/dev/null || true
  [ -f $W/pg2/data/postmaster.pid ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D $W/pg2/data -m fast -w stop >/dev/null || true
}
trap cleanup EXIT
await() { # await URL [curl options...]: until it answers 200
  local url=$1; shift
  for _ in $(seq 1 240); do curl -fsS -o /dev/null "$@" "$url" 2>/dev/null && return 0; sleep 0.5; done
  echo "no answer from $url"; return 1
}

rm -rf $W && install -d -m 755 $W
[ -f "$JAR" ] || { echo "build the jar first (see the header)"; exit 1; }

step "1. PostgreSQL: a server, a role and a database for the service"
install -d -o postgres -m 700 $W/pg
runuser -u postgres -- "$PGBIN/initdb" -D $W/pg/data -U postgres --auth-local=peer --auth-host=scram-sha-256 \
  -E UTF8 --no-locale > $W/pg/initdb.log
runuser -u postgres -- "$PGBIN/pg_ctl" -D $W/pg/data -l $W/pg/log -w \
  -o "-p $PGPORT -k $W/pg -c listen_addresses=127.0.0.1" start > /dev/null
(umask 077; openssl rand -base64 24 > $W/db-password)
runuser -u postgres -- psql -h $W/pg -p $PGPORT -q -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE hallmark LOGIN PASSWORD '$(cat $W/db-password)';
CREATE DATABASE hallmark OWNER hallmark;
SQL
ok "database hallmark owned by role hallmark; password only in $W/db-password (0600)"

step "2. Secrets: the master key from the secret store, the database password from a file"
(umask 077; openssl rand -base64 32 > $W/master-key)
export HALLMARK_MASTER_KEY; HALLMARK_MASTER_KEY=$(cat $W/master-key)
export HALLMARK_DATABASE_URL=jdbc:postgresql://127.0.0.1:$PGPORT/hallmark
export HALLMARK_DATABASE_USER=hallmark
export HALLMARK_DATABASE_PASSWORD_FILE=$W/db-password
install -d -m 700 $W/shared   # in production: one NFS (or similar) mount on every instance
ok "HALLMARK_MASTER_KEY and HALLMARK_DATABASE_* set for the service user"

step "3. Two instances on the database and the shared data directory"
start() { # start NAME PORT
  java -Xmx1g -jar "$JAR" --port "$2" --data-dir $W/shared --instance-name "$1" > $W/$1.log 2>&1 &
  pids+=($!); echo $! > $W/$1.pid
  await http://127.0.0.1:$2/readyz
}
start web-1 18081
start web-2 18082
grep -h -E "^Database:|^Master key:" $W/web-1.log
if grep -q -F "$(cat $W/db-password)" $W/web-1.log $W/web-2.log; then echo "password in a log"; exit 1; fi
ok "both ready; the password is in neither log"
ADMIN=$(cat $W/shared/admin-token)

step "4. HAProxy with TLS in front, routing by /readyz"
install -d -m 700 $W/tls
openssl req -x509 -newkey rsa:2048 -nodes -keyout $W/tls/key.pem -out $W/tls/cert.pem -days 30 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1,DNS:localhost 2> /dev/null
cat $W/tls/cert.pem $W/tls/key.pem > $W/tls/hallmark.pem
sed "s#@W@#$W#g" verifier-service/deploy/haproxy.cfg > $W/haproxy.cfg
haproxy -c -f $W/haproxy.cfg > /dev/null
haproxy -D -f $W/haproxy.cfg -p $W/haproxy.pid
LB=https://127.0.0.1:18443
C=(--cacert $W/tls/cert.pem -fsS)
await $LB/readyz "${C[@]}"
sleep 5 # both servers pass their first checks
for _ in 1 2 3 4; do curl "${C[@]}" $LB/healthz | j 'd["instance"]'; done | sort | uniq -c
curl -fsS -o /dev/null http://127.0.0.1:18443/healthz 2>/dev/null && { echo "plain HTTP answered"; exit 1; } || true
ok "TLS only; requests reach both instances"

step "5. A scan uploaded through the load balancer; the instance running it is killed with -9"
KEY=$(curl "${C[@]}" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d '{"scheme":"kgw:gamma=0.25,delta=2,context=1,seeding=lefthash","label":"deployment check"}' $LB/v1/keys | j 'd["id"]')
for _ in 1 2 3; do bible -f "Gen1:1-Rev22:21"; done > $W/kjv3.txt
SCAN=$(curl "${C[@]}" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: text/plain' --data-binary @$W/kjv3.txt \
  "$LB/v1/scans?name=kjv3&split=line&key_ids=$KEY" | j 'd["id"]')
echo "scan $SCAN ($(du -h $W/kjv3.txt | cut -f1) of text)"
for _ in $(seq 1 600); do
  st=$(curl "${C[@]}" -H "Authorization: Bearer $ADMIN" $LB/v1/scans/$SCAN | j 'd["state"]+" "+str(d["progress"]["documents"])')
  [ "${st%% *}" = running ] && [ "${st##* }" -gt 10000 ] && break; sleep 0.2
done
echo "before the kill: $st documents"
r1=$(curl -fsS http://127.0.0.1:18081/healthz | j 'd["scans_running"]')
VICTIM=web-1; SURVIVOR=18082; [ "$r1" = 1 ] || { VICTIM=web-2; SURVIVOR=18081; }
kill -9 "$(cat $W/$VICTIM.pid)"
echo "killed $VICTIM"
sleep 5 # HAProxy marks it down (2 failed checks, 2 s apart)
for _ in 1 2 3; do curl "${C[@]}" $LB/healthz | j 'd["instance"]'; done | sort | uniq -c
for _ in $(seq 1 900); do
  st=$(curl "${C[@]}" -H "Authorization: Bearer $ADMIN" $LB/v1/scans/$SCAN | j 'd["state"]')
  [ "$st" = done ] && break; sleep 0.2
done
curl "${C[@]}" -H "Authorization: Bearer $ADMIN" $LB/v1/scans/$SCAN \
  | j '"state", d["state"], "attempts", d["attempts"], "|", d.get("error"), "| documents", d["report"]["documents"]["total"], "verdict", d["verdict"]'
[ "$st" = done ] || exit 1
ok "the survivor finished the scan after the lease expired"
start "$VICTIM" "$([ $VICTIM = web-1 ] && echo 18081 || echo 18082)"
curl -fsS -H "Authorization: Bearer $ADMIN" http://127.0.0.1:18081/v1/scans > $W/list-1.json
curl -fsS -H "Authorization: Bearer $ADMIN" http://127.0.0.1:18082/v1/scans > $W/list-2.json
cmp $W/list-1.json $W/list-2.json && ok "$VICTIM is back; both instances list the same scans"

step "6. Backup: the database (sealed keys, tokens, reports) and the stored corpora; the master key stays in the secret store"
install -d -m 700 $W/backup
PGPASSWORD=$(cat $W/db-password) pg_dump -h 127.0.0.1 -p $PGPORT -U hallmark -Fc -f $W/backup/hallmark.dump hallmark
tar -C $W/shared -czf $W/backup/corpora.tar.gz scans
ls -l $W/backup | tail -n +2
curl -fsS -H "Authorization: Bearer $ADMIN" http://127.0.0.1:18081/v1/scans/$SCAN/report > $W/report-before.json

step "7. Restore on a new server and data directory, with the same master key"
install -d -o postgres -m 700 $W/pg2
runuser -u postgres -- "$PGBIN/initdb" -D $W/pg2/data -U postgres --auth-local=peer --auth-host=scram-sha-256 \
  -E UTF8 --no-locale > $W/pg2/initdb.log
runuser -u postgres -- "$PGBIN/pg_ctl" -D $W/pg2/data -l $W/pg2/log -w \
  -o "-p 55433 -k $W/pg2 -c listen_addresses=127.0.0.1" start > /dev/null
runuser -u postgres -- psql -h $W/pg2 -p 55433 -q -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE hallmark LOGIN PASSWORD '$(cat $W/db-password)';
CREATE DATABASE hallmark OWNER hallmark;
SQL
PGPASSWORD=$(cat $W/db-password) pg_restore -h 127.0.0.1 -p 55433 -U hallmark -d hallmark --no-owner $W/backup/hallmark.dump
install -d -m 700 $W/restored && tar -C $W/restored -xzf $W/backup/corpora.tar.gz
HALLMARK_DATABASE_URL=jdbc:postgresql://127.0.0.1:55433/hallmark java -Xmx1g -jar "$JAR" --port 18083 \
  --data-dir $W/restored --instance-name restored > $W/restored.log 2>&1 &
pids+=($!)
await http://127.0.0.1:18083/readyz
curl -fsS -H "Authorization: Bearer $ADMIN" http://127.0.0.1:18083/v1/scans/$SCAN/report > $W/report-after.json
cmp $W/report-before.json $W/report-after.json && ok "the report is byte for byte the same"
curl -fsS -H "Authorization: Bearer $ADMIN" http://127.0.0.1:18083/v1/keys | j '[k["id"] for k in d["keys"]]'
head -c 2000 $W/kjv3.txt > $W/sample.txt
curl -fsS -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d "$(python3 -c 'import json,sys; print(json.dumps({"text": open(sys.argv[1]).read()}))' $W/sample.txt)" \
  http://127.0.0.1:18083/v1/detect | j '"keys tested after restore:", d["keys_tested"]'
ok "the admin token, the keys (secrets open under the same master key) and the reports are back"

if [ -n "$OLD_JAR" ]; then
  step "8. Upgrade: a data directory of a build before Flyway, taken over in place"
  unset HALLMARK_DATABASE_URL HALLMARK_DATABASE_USER HALLMARK_DATABASE_PASSWORD_FILE
  install -d -m 700 $W/old
  java -jar "$OLD_JAR" --port 18084 --data-dir $W/old > $W/old.log 2>&1 & p=$!
  await http://127.0.0.1:18084/healthz
  curl -fsS http://127.0.0.1:18084/healthz | j '"old build, schema", d["schema_version"]'
  kill $p; wait $p 2>/dev/null || true
  cp -a $W/old $W/old-backup   # the backup taken before an upgrade
  java -jar "$JAR" --port 18085 --data-dir $W/old --instance-name upgraded > $W/upgraded.log 2>&1 & p=$!
  await http://127.0.0.1:18085/readyz
  curl -fsS http://127.0.0.1:18085/healthz | j '"new build, schema", d["schema_version"]'
  grep -h -E "baseline|Migrating schema|Successfully" $W/upgraded.log | sed 's/^\[[^]]*\] //'
  kill $p; wait $p 2>/dev/null || true
  java -jar "$OLD_JAR" --port 18086 --data-dir $W/old > $W/old-again.log 2>&1 & p=$!
  wait $p 2>/dev/null || true
  grep -h -o "database schema version 4 is newer than this build knows (3)[^)]*" $W/old-again.log | head -1
  ok "upgraded in place; the old build refuses the upgraded database (restore $W/old-backup to go back)"
fi
step "done"
