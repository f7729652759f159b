#!/bin/sh
# A test client of the standalone emulator written without Node: POSIX sh, curl, and python3's
# standard library to read JSON. It starts `nest-open-platform emulator`, drives a full flow through
# the control API and the emulated platform API, and prints `name=value` facts that the jest suite
# (test/cli-emulator.e2e-spec.ts) asserts. Any failed expectation exits non-zero with a message.
# Usage: emulator-client.sh <path of dist/cli/main.js>
set -eu

CLI="$1"
WORK="$(mktemp -d)"
EMULATOR_PID=""
cleanup() {
  if [ -n "$EMULATOR_PID" ]; then kill -TERM "$EMULATOR_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAILED: $*" >&2; exit 1; }
# json <path>: reads JSON on stdin, prints the value at a dotted path (list indexes are numbers).
json() {
  python3 -c '
import json, sys
value = json.load(sys.stdin)
for part in sys.argv[1].split(".") if sys.argv[1] else []:
    value = value[int(part)] if isinstance(value, list) else value.get(part)
print(json.dumps(value) if isinstance(value, (dict, list, bool)) or value is None else value)
' "$1"
}
post() { curl -sS -X POST -H 'content-type: application/json' -d "$2" "$1"; }
status_of() { curl -sS -o /dev/null -w '%{http_code}' -X "$1" -H 'content-type: application/json' -d "$3" "$2"; }

# 1. Start the emulator and wait for its one-line description.
node "$CLI" emulator --wechat-components 1 --douyin-components 1 >"$WORK/out" 2>"$WORK/err" &
EMULATOR_PID=$!
i=0
while [ ! -s "$WORK/out" ]; do
  i=$((i + 1))
  [ "$i" -le 200 ] || fail "the emulator printed nothing: $(cat "$WORK/err")"
  kill -0 "$EMULATOR_PID" 2>/dev/null || fail "the emulator exited: $(cat "$WORK/err")"
  sleep 0.05
done
INFO="$(head -n 1 "$WORK/out")"
CONTROL="$(echo "$INFO" | json control)"
WX="$(echo "$INFO" | json wechat.baseUrl)"
APPID="$(echo "$INFO" | json wechat.components.0.appId)"
SECRET="$(echo "$INFO" | json wechat.components.0.appSecret)"
DY="$(echo "$INFO" | json douyin.baseUrl)"
DY_APPID="$(echo "$INFO" | json douyin.components.0.appId)"
DY_SECRET="$(echo "$INFO" | json douyin.components.0.appSecret)"
echo "control_version=$(echo "$INFO" | json controlApiVersion)"

# 2. A ticket issued through the control API opens the component token endpoint.
TICKET="$(post "$CONTROL/wechat/components/$APPID/tickets" '{"push":false}' | json ticket)"
[ -n "$TICKET" ] || fail "no ticket"
COMPONENT_TOKEN="$(post "$WX/cgi-bin/component/api_component_token" \
  "{\"component_appid\":\"$APPID\",\"component_appsecret\":\"$SECRET\",\"component_verify_ticket\":\"$TICKET\"}" |
  json component_access_token)"
[ "$COMPONENT_TOKEN" != "None" ] || fail "no component token"
echo "component_token_valid=$(post "$CONTROL/wechat/tokens/check" "{\"token\":\"$COMPONENT_TOKEN\",\"kind\":\"component\"}" | json valid)"
echo "wrong_secret_errcode=$(post "$WX/cgi-bin/component/api_component_token" \
  "{\"component_appid\":\"$APPID\",\"component_appsecret\":\"wrong\",\"component_verify_ticket\":\"$TICKET\"}" | json errcode)"

# 3. A merchant authorizes (control API); the code is exchanged on the platform API.
CODE="$(post "$CONTROL/wechat/components/$APPID/authorizers" '{"authorizerAppId":"wx_shell_merchant"}' | json authorizationCode)"
AUTH="$(post "$WX/cgi-bin/component/api_query_auth?component_access_token=$COMPONENT_TOKEN" \
  "{\"component_appid\":\"$APPID\",\"authorization_code\":\"$CODE\"}")"
REFRESH="$(echo "$AUTH" | json authorization_info.authorizer_refresh_token)"
STATE_REFRESH="$(curl -sS "$CONTROL/wechat/components/$APPID/authorizers/wx_shell_merchant" | json refreshToken)"
[ "$REFRESH" = "$STATE_REFRESH" ] || fail "the control API reports another refresh token than the exchange returned"
echo "authorizer_status=$(curl -sS "$CONTROL/wechat/components/$APPID/authorizers/wx_shell_merchant" | json status)"

# 4. The authorizer token is refreshed with the refresh token.
refresh() {
  post "$WX/cgi-bin/component/api_authorizer_token?component_access_token=$COMPONENT_TOKEN" \
    "{\"component_appid\":\"$APPID\",\"authorizer_appid\":\"wx_shell_merchant\",\"authorizer_refresh_token\":\"$REFRESH\"}"
}
AUTHORIZER_TOKEN="$(refresh | json authorizer_access_token)"
echo "authorizer_token_valid=$(post "$CONTROL/wechat/tokens/check" "{\"token\":\"$AUTHORIZER_TOKEN\"}" | json valid)"
echo "business_errcode=$(curl -sS "$WX/cgi-bin/account/getaccountbasicinfo?access_token=$AUTHORIZER_TOKEN" | json errcode)"

# 5. An injected fault is seen once, then the endpoint answers normally again.
post "$CONTROL/wechat/faults" '{"endpoint":"api_authorizer_token","kind":"error","errcode":61023}' >/dev/null
echo "faulted_errcode=$(refresh | json errcode)"
echo "after_fault_has_token=$(refresh | python3 -c 'import json,sys; print("authorizer_access_token" in json.load(sys.stdin))')"
post "$CONTROL/wechat/faults" '{"endpoint":"api_authorizer_token","kind":"status","status":502}' >/dev/null
echo "gateway_status=$(status_of POST "$WX/cgi-bin/component/api_authorizer_token?component_access_token=$COMPONENT_TOKEN" '{}')"

# 6. Call counters (faulted calls included, as the platform saw them).
CALLS="$(curl -sS "$CONTROL/wechat/calls")"
echo "calls_api_component_token=$(echo "$CALLS" | json api_component_token)"
echo "calls_api_query_auth=$(echo "$CALLS" | json api_query_auth)"
echo "calls_api_authorizer_token=$(echo "$CALLS" | json api_authorizer_token)"
echo "calls_one_endpoint=$(curl -sS "$CONTROL/wechat/calls?endpoint=api_authorizer_token" | json calls)"

# 7. A revocation kills the chain.
post "$CONTROL/wechat/components/$APPID/authorizers/wx_shell_merchant/revoke" '{"push":false}' >/dev/null
echo "revoked_errcode=$(refresh | json errcode)"
echo "revoked_token_valid=$(post "$CONTROL/wechat/tokens/check" "{\"token\":\"$AUTHORIZER_TOKEN\"}" | json valid)"

# 8. A user route behind the token check, added from here.
post "$CONTROL/wechat/routes" '{"method":"GET","path":"/wxa/get_category","body":{"errcode":0,"category_list":[]}}' >/dev/null
echo "user_route_without_token=$(curl -sS "$WX/wxa/get_category" | json errcode)"

# 9. Douyin: a ticket opens the V2 component token endpoint; its counter moves.
DY_TICKET="$(post "$CONTROL/douyin/components/$DY_APPID/tickets" '{"push":false}' | json ticket)"
DY_TOKEN_ANSWER="$(curl -sS -G "$DY/openapi/v2/auth/tp/token/" --data-urlencode "component_appid=$DY_APPID" \
  --data-urlencode "component_appsecret=$DY_SECRET" --data-urlencode "component_ticket=$DY_TICKET")"
echo "douyin_token_present=$(echo "$DY_TOKEN_ANSWER" | python3 -c 'import json,sys; print("component_access_token" in json.dumps(json.load(sys.stdin)))')"
echo "douyin_calls_tp_token=$(curl -sS "$CONTROL/douyin/calls?endpoint=tp_token" | json calls)"

# 10. Bad control input: refused with a 4xx, nothing changed.
echo "bad_json_status=$(status_of POST "$CONTROL/wechat/faults" '{not json')"
echo "unknown_kind_status=$(status_of POST "$CONTROL/wechat/faults" '{"kind":"explode","endpoint":"x"}')"
echo "unknown_component_status=$(status_of POST "$CONTROL/wechat/components/wx_nobody/authorizers" '{"authorizerAppId":"wx_a"}')"
echo "unknown_route_status=$(status_of GET "$CONTROL/wechat/nothing-here" '')"
echo "calls_unchanged=$(curl -sS "$CONTROL/wechat/calls?endpoint=api_authorizer_token" | json calls)"

# 11. Graceful stop on SIGTERM.
kill -TERM "$EMULATOR_PID"
set +e
wait "$EMULATOR_PID"
echo "emulator_exit=$?"
set -e
EMULATOR_PID=""
