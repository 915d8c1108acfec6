// mailsight through the AWS SDK for JavaScript v3: @aws-sdk/client-sesv2,
// @aws-sdk/client-ses (SES v1) and @aws-sdk/client-sns against one server.
//
//   node lifecycle.mjs http://127.0.0.1:PORT
//
// Run by scripts/js-lifecycle.sh, which starts a fresh server. Each check
// prints one line; the last line is "js-lifecycle: N passed, M failed" and
// the exit status is non-zero when M > 0.
//
// The checks follow what an application does: identities through both
// APIs, a configuration set with tags and an SNS destination on a topic
// mailsight hosts, an HTTP subscriber that confirms and receives events,
// sends through both APIs to the mailbox simulator, identity notifications
// in SES's notification format, and GetSendStatistics and
// GetMessageInsights agreeing with what was sent.

import http from "node:http";
import { randomUUID } from "node:crypto";
import * as v2 from "@aws-sdk/client-sesv2";
import * as v1 from "@aws-sdk/client-ses";
import * as sns from "@aws-sdk/client-sns";

const endpoint = process.argv[2];
if (!endpoint) {
  console.error("usage: node lifecycle.mjs ENDPOINT");
  process.exit(2);
}
const REGION = "us-east-1";
const SIM = "simulator.amazonses.com";
// Open mode: any key is accepted; a non-numeric key id is account 000000000000.
const ACCOUNT = "000000000000";
const clientConfig = {
  endpoint,
  region: REGION,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "any" },
  maxAttempts: 2,
};
const sesv2 = new v2.SESv2Client(clientConfig);
const ses = new v1.SESClient(clientConfig);
const topics = new sns.SNSClient(clientConfig);

let passed = 0;
let failed = 0;
function ok(cond, what, detail = "") {
  if (cond) {
    passed += 1;
    console.log(`  ok   ${what}`);
  } else {
    failed += 1;
    console.log(`  FAIL ${what}${detail ? `: ${detail}` : ""}`);
  }
  return cond;
}
const show = (v) => JSON.stringify(v, (k, x) => (k === "$metadata" ? undefined : x));
function eq(got, want, what) {
  return ok(show(got) === show(want), what, `got ${show(got)}, want ${show(want)}`);
}
/** Sends one command; a failure is a failed check and answers undefined. */
async function call(what, client, command) {
  try {
    const out = await client.send(command);
    ok(true, what);
    return out;
  } catch (e) {
    ok(false, what, `${e.name}: ${e.message}`);
    return undefined;
  }
}
/** The command must fail with `code` (the SDK's error name). */
async function raises(what, client, command, code) {
  try {
    await client.send(command);
    ok(false, what, `succeeded, expected ${code}`);
  } catch (e) {
    ok(e.name === code, what, `got ${e.name}: ${e.message}`);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(fn, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await fn();
    if (got || Date.now() > deadline) return got;
    await sleep(100);
  }
}

/** An HTTP endpoint subscribed to SNS topics: keeps every envelope. */
function receiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      try {
        got.push(JSON.parse(body));
      } catch {
        got.push({ unparsed: body });
      }
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ got, server, url: `http://127.0.0.1:${server.address().port}/` }),
    ),
  );
}
const message = (envelope) => {
  try {
    return JSON.parse(envelope?.Message ?? "");
  } catch {
    return {};
  }
};

async function subscribe(rx, topicArn, what) {
  await call(`SNS Subscribe an HTTP endpoint to ${what}`, topics,
    new sns.SubscribeCommand({ TopicArn: topicArn, Protocol: "http", Endpoint: rx.url }));
  const confirmation = await until(() =>
    rx.got.find((e) => e.Type === "SubscriptionConfirmation" && e.TopicArn === topicArn));
  if (ok(confirmation !== undefined, `the subscriber to ${what} gets a SubscriptionConfirmation`)) {
    const r = await fetch(confirmation.SubscribeURL);
    eq(r.status, 200, `visiting the SubscribeURL of ${what} confirms the subscription`);
  }
}

const eventTypes = (insights) =>
  (insights?.Insights ?? []).map((i) => (i.Events ?? []).map((e) => e.Type));

async function main() {
  const run = randomUUID().slice(0, 8);
  const domain = `js-${run}.example`;
  const address = `v1-${run}@example.com`;
  const setName = `js-lifecycle-${run}`;
  console.log(`AWS SDK for JavaScript v3 against ${endpoint}`);

  // ---- identities, one state for both APIs ----------------------------
  console.log("identities");
  const created = await call(`SES v2 CreateEmailIdentity ${domain}`, sesv2,
    new v2.CreateEmailIdentityCommand({ EmailIdentity: domain, Tags: [{ Key: "team", Value: "mail" }] }));
  eq(created?.IdentityType, "DOMAIN", "SES v2 CreateEmailIdentity IdentityType");
  await call(`SES v1 VerifyEmailIdentity ${address}`, ses, new v1.VerifyEmailIdentityCommand({ EmailAddress: address }));
  const listed = await call("SES v1 ListIdentities", ses, new v1.ListIdentitiesCommand({}));
  ok([domain, address].every((i) => listed?.Identities?.includes(i)),
    "SES v1 ListIdentities names the identity made through v2 and the one made through v1", show(listed?.Identities));
  const fromV1 = await call("SES v2 GetEmailIdentity of the v1 address", sesv2,
    new v2.GetEmailIdentityCommand({ EmailIdentity: address }));
  eq(fromV1?.IdentityType, "EMAIL_ADDRESS", "SES v2 sees the v1 address as an EMAIL_ADDRESS identity");
  const identityTags = await call("SES v2 ListTagsForResource of the identity", sesv2,
    new v2.ListTagsForResourceCommand({ ResourceArn: `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${domain}` }));
  eq(identityTags?.Tags, [{ Key: "team", Value: "mail" }], "the identity's tags are listed after create");
  await raises("SES v2 CreateEmailIdentity of an identity in use", sesv2,
    new v2.CreateEmailIdentityCommand({ EmailIdentity: domain }), "AlreadyExistsException");

  // ---- a topic mailsight hosts, with a confirmed HTTP subscriber ---------
  console.log("SNS topics");
  const rx = await receiver();
  const eventsTopic = (await call("SNS CreateTopic for events", topics,
    new sns.CreateTopicCommand({ Name: `js-events-${run}` })))?.TopicArn;
  const bouncesTopic = (await call("SNS CreateTopic for bounce notifications", topics,
    new sns.CreateTopicCommand({ Name: `js-bounces-${run}` })))?.TopicArn;
  await subscribe(rx, eventsTopic, "the events topic");
  await subscribe(rx, bouncesTopic, "the bounces topic");

  // ---- a configuration set with tags and an SNS destination --------------
  console.log("configuration set");
  const tags = [{ Key: "env", Value: "ci" }, { Key: "team", Value: "mail" }];
  await call("SES v2 CreateConfigurationSet with Tags", sesv2,
    new v2.CreateConfigurationSetCommand({ ConfigurationSetName: setName, Tags: tags }));
  const setTags = await call("SES v2 ListTagsForResource of the set", sesv2,
    new v2.ListTagsForResourceCommand({
      ResourceArn: `arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/${setName}`,
    }));
  eq(setTags?.Tags, tags, "the set's tags are listed after create");
  await call("SES v2 CreateConfigurationSetEventDestination (SNS)", sesv2,
    new v2.CreateConfigurationSetEventDestinationCommand({
      ConfigurationSetName: setName,
      EventDestinationName: "to-sns",
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT"],
        SnsDestination: { TopicArn: eventsTopic },
      },
    }));
  const v1Sets = await call("SES v1 ListConfigurationSets", ses, new v1.ListConfigurationSetsCommand({}));
  ok((v1Sets?.ConfigurationSets ?? []).some((s) => s.Name === setName),
    "SES v1 lists the set made through v2", show(v1Sets));
  const v1Set = await call("SES v1 DescribeConfigurationSet with its event destinations", ses,
    new v1.DescribeConfigurationSetCommand({
      ConfigurationSetName: setName, ConfigurationSetAttributeNames: ["eventDestinations"],
    }));
  eq((v1Set?.EventDestinations ?? []).map((d) => [d.Name, d.SNSDestination?.TopicARN]),
    [["to-sns", eventsTopic]], "SES v1 sees the SNS destination made through v2");
  await raises("SES v2 GetConfigurationSet of a missing set", sesv2,
    new v2.GetConfigurationSetCommand({ ConfigurationSetName: `missing-${run}` }), "NotFoundException");

  // ---- identity notifications (v1) ----------------------------------------
  await call("SES v1 SetIdentityNotificationTopic Bounce", ses,
    new v1.SetIdentityNotificationTopicCommand({ Identity: domain, NotificationType: "Bounce", SnsTopic: bouncesTopic }));
  const attrs = await call("SES v1 GetIdentityNotificationAttributes", ses,
    new v1.GetIdentityNotificationAttributesCommand({ Identities: [domain] }));
  eq(attrs?.NotificationAttributes?.[domain]?.BounceTopic, bouncesTopic,
    "SES v1 GetIdentityNotificationAttributes returns the bounce topic");

  // ---- sends through both APIs ---------------------------------------------
  console.log("sending to the mailbox simulator");
  const sender = `sender@${domain}`;
  const sent = []; // [what, messageId, expected event types]
  for (const [local, want] of [["success", ["SEND", "DELIVERY"]], ["bounce", ["SEND", "BOUNCE"]]]) {
    const out = await call(`SES v2 SendEmail -> ${local}@${SIM}`, sesv2, new v2.SendEmailCommand({
      FromEmailAddress: sender,
      Destination: { ToAddresses: [`${local}@${SIM}`] },
      Content: { Simple: { Subject: { Data: `js ${local} ${run}` }, Body: { Text: { Data: "hello" } } } },
      ConfigurationSetName: setName,
      EmailTags: [{ Name: "run", Value: run }],
    }));
    if (out?.MessageId) sent.push([`v2 ${local}`, out.MessageId, want]);
  }
  const v1Sent = await call(`SES v1 SendEmail -> complaint@${SIM}`, ses, new v1.SendEmailCommand({
    Source: sender,
    Destination: { ToAddresses: [`complaint@${SIM}`] },
    Message: { Subject: { Data: `js v1 ${run}` }, Body: { Text: { Data: "hello" } } },
    ConfigurationSetName: setName,
    Tags: [{ Name: "run", Value: run }],
  }));
  if (v1Sent?.MessageId) sent.push(["v1 complaint", v1Sent.MessageId, ["SEND", "DELIVERY", "COMPLAINT"]]);
  const raw = [
    `From: ${sender}`,
    `To: success@${SIM}`,
    `Subject: js raw ${run}`,
    `X-SES-CONFIGURATION-SET: ${setName}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=UTF-8",
    "",
    "hello from SendRawEmail",
    "",
  ].join("\r\n");
  const rawSent = await call("SES v1 SendRawEmail with X-SES-CONFIGURATION-SET", ses,
    new v1.SendRawEmailCommand({ RawMessage: { Data: new TextEncoder().encode(raw) } }));
  if (rawSent?.MessageId) sent.push(["v1 raw", rawSent.MessageId, ["SEND", "DELIVERY"]]);
  // Without a configuration set: only the identity's notification topic hears of it.
  const notified = await call(`SES v1 SendEmail -> bounce@${SIM}, no configuration set`, ses,
    new v1.SendEmailCommand({
      Source: sender,
      Destination: { ToAddresses: [`bounce@${SIM}`] },
      Message: { Subject: { Data: `js notified ${run}` }, Body: { Text: { Data: "hello" } } },
    }));
  await raises("SES v2 SendEmail from an unverified identity", sesv2, new v2.SendEmailCommand({
    FromEmailAddress: `someone@unverified-${run}.example`,
    Destination: { ToAddresses: [`success@${SIM}`] },
    Content: { Simple: { Subject: { Data: "x" }, Body: { Text: { Data: "x" } } } },
  }), "MessageRejected");

  // ---- insights agree with what was sent -----------------------------------
  console.log("insights");
  for (const [what, id, want] of sent) {
    let last;
    const reached = await until(async () => {
      try {
        last = await sesv2.send(new v2.GetMessageInsightsCommand({ MessageId: id }));
      } catch {
        return false;
      }
      return show(eventTypes(last)) === show([want]);
    });
    ok(reached, `[${what}] GetMessageInsights shows ${want.join(", ")}`, show(eventTypes(last)));
  }

  // ---- what the HTTP subscriber received -----------------------------------
  console.log("SNS deliveries");
  for (const [what, id, want] of sent) {
    const types = await until(() => {
      const seen = rx.got
        .filter((e) => e.Type === "Notification" && e.TopicArn === eventsTopic)
        .map(message)
        .filter((m) => m.mail?.messageId === id)
        .map((m) => m.eventType);
      return want.every((t) => seen.includes(t.charAt(0) + t.slice(1).toLowerCase())) ? seen : undefined;
    });
    ok(types !== undefined, `[${what}] the subscriber receives every event of the message in SES's event format`);
  }
  const note = await until(() => rx.got.find((e) => e.Type === "Notification" && e.TopicArn === bouncesTopic
    && message(e).mail?.messageId === notified?.MessageId));
  const n = message(note);
  eq([n.notificationType, n.bounce?.bounceType], ["Bounce", "Permanent"],
    "the bounces topic's subscriber receives a Bounce in SES's notification format");
  ok(n.eventType === undefined && n.mail?.tags === undefined, "a notification carries no eventType and no tags", show(n));
  ok(!rx.got.some((e) => e.TopicArn === eventsTopic && message(e).mail?.messageId === notified?.MessageId),
    "the send without a configuration set reached no configuration-set destination");

  // ---- GetSendStatistics counts what was sent ------------------------------
  const stats = await call("SES v1 GetSendStatistics", ses, new v1.GetSendStatisticsCommand({}));
  const total = (k) => (stats?.SendDataPoints ?? []).reduce((s, p) => s + (p[k] ?? 0), 0);
  // Five sends, one recipient each (the refused one is not sent).
  eq([total("DeliveryAttempts"), total("Bounces"), total("Complaints")], [sent.length + 1, 2, 1],
    "SES v1 GetSendStatistics: every send, both bounces and the complaint");
  const quota = await call("SES v1 GetSendQuota", ses, new v1.GetSendQuotaCommand({}));
  const account = await call("SES v2 GetAccount", sesv2, new v2.GetAccountCommand({}));
  eq(quota?.SentLast24Hours, account?.SendQuota?.SentLast24Hours, "SES v1 GetSendQuota and SES v2 GetAccount agree");
  eq(quota?.SentLast24Hours, sent.length + 1, "SentLast24Hours counts every send");

  // ---- clean up through the other API --------------------------------------
  await call("SES v1 DeleteConfigurationSet of the set made through v2", ses,
    new v1.DeleteConfigurationSetCommand({ ConfigurationSetName: setName }));
  await raises("SES v2 GetConfigurationSet after the v1 delete", sesv2,
    new v2.GetConfigurationSetCommand({ ConfigurationSetName: setName }), "NotFoundException");
  await call("SES v2 DeleteEmailIdentity of the v1 address", sesv2,
    new v2.DeleteEmailIdentityCommand({ EmailIdentity: address }));
  const after = await call("SES v1 ListIdentities after the v2 delete", ses, new v1.ListIdentitiesCommand({}));
  ok(!(after?.Identities ?? []).includes(address), "SES v1 no longer lists the address", show(after?.Identities));

  rx.server.close();
}

try {
  await main();
} catch (e) {
  ok(false, "the lifecycle ran to its end", e.stack ?? String(e));
}
console.log(`js-lifecycle: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
