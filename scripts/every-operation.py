#!/usr/bin/env python3
"""Every operation of the SES v2 model, once, through boto3, with valid input.

Normally started by scripts/sdk-lifecycle.sh against a server of its own
(one with dedicated IPs configured and a bucket bound to a directory):

    every-operation.py --endpoint URL --bucket-dir DIR --operations TSV [--results FILE]

The calls are listed below in an order where each finds what it needs
(an identity before its policies, a job before its status). Before calling
anything the script compares three lists: the operations of the botocore
model boto3 loads, the repository's copy of that list (TSV, from
crates/api/tests/data/sesv2-operations.tsv) and the calls below. A model
operation with no call, or a model that differs from the copy, is a failure:
a newer botocore brings new operations, and this script says which.

Each call must succeed, except where SES itself answers an error for any
input mailsight can be given (noted beside the call). With --results one JSON
line {"phase", "passed", "failed"} is appended to that file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import traceback

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
ACCOUNT = "000000000000"
IP = "198.51.100.7"
SIM = "success@simulator.amazonses.com"


def arn(kind: str, name: str) -> str:
    return f"arn:aws:ses:{REGION}:{ACCOUNT}:{kind}/{name}"


def today() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)


DEST = {
    "Enabled": True,
    "MatchingEventTypes": ["SEND", "DELIVERY"],
    "EventBridgeDestination": {
        "EventBusArn": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
    },
}
TEMPLATE = {"Subject": "Hi {{name}}", "Text": "Hello {{name}}", "Html": "<p>Hello {{name}}</p>"}
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": ["ses:SendEmail"],
                "Resource": arn("identity", "every.example"),
            }
        ],
    }
)
SIMPLE = {"Simple": {"Subject": {"Data": "Every"}, "Body": {"Text": {"Data": "operation"}}}}
METRIC_QUERY = {
    "Id": "q1",
    "Namespace": "VDM",
    "Metric": "SEND",
    "Dimensions": {"EMAIL_IDENTITY": "every.example"},
    "StartDate": today() - dt.timedelta(days=1),
    "EndDate": today() + dt.timedelta(days=1),
}


def calls(ctx: dict):
    """(operation, input or a function of the context giving it, expected error code)."""
    return [
        # Account
        ("GetAccount", {}, None),
        ("PutAccountDetails", {"MailType": "TRANSACTIONAL", "WebsiteURL": "https://every.example", "UseCaseDescription": "tests", "ProductionAccessEnabled": True}, None),
        ("PutAccountSendingAttributes", {"SendingEnabled": True}, None),
        ("PutAccountSuppressionAttributes", {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}, None),
        ("PutAccountVdmAttributes", {"VdmAttributes": {"VdmEnabled": "ENABLED", "DashboardAttributes": {"EngagementMetrics": "ENABLED"}}}, None),
        ("PutAccountDedicatedIpWarmupAttributes", {"AutoWarmupEnabled": True}, None),
        ("PutAccountDeliveryAttributes", {"SharedPoolDeliveryMode": "GLOBAL"}, None),
        ("PutAccountPricingAttributes", {"Plan": "ESSENTIALS"}, None),
        ("ListRecommendations", {}, None),
        ("GetEmailAddressInsights", {"EmailAddress": "someone@every.example"}, None),
        # Identities
        ("CreateEmailIdentity", {"EmailIdentity": "every.example", "Tags": [{"Key": "k", "Value": "v"}]}, None),
        ("GetEmailIdentity", {"EmailIdentity": "every.example"}, None),
        ("ListEmailIdentities", {}, None),
        ("PutEmailIdentityDkimAttributes", {"EmailIdentity": "every.example", "SigningEnabled": True}, None),
        ("PutEmailIdentityDkimSigningAttributes", {"EmailIdentity": "every.example", "SigningAttributesOrigin": "AWS_SES", "SigningAttributes": {"NextSigningKeyLength": "RSA_2048_BIT"}}, None),
        ("PutEmailIdentityFeedbackAttributes", {"EmailIdentity": "every.example", "EmailForwardingEnabled": True}, None),
        ("PutEmailIdentityMailFromAttributes", {"EmailIdentity": "every.example", "MailFromDomain": "bounce.every.example", "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"}, None),
        ("CreateEmailIdentityPolicy", {"EmailIdentity": "every.example", "PolicyName": "p1", "Policy": POLICY}, None),
        ("GetEmailIdentityPolicies", {"EmailIdentity": "every.example"}, None),
        ("UpdateEmailIdentityPolicy", {"EmailIdentity": "every.example", "PolicyName": "p1", "Policy": POLICY}, None),
        ("AssociateEmailIdentityCertificate", {"EmailIdentity": "every.example", "FromAddress": "news@every.example", "CertificateArn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/every"}, None),
        ("ListEmailIdentityCertificates", {"EmailIdentity": "every.example"}, None),
        # Configuration sets and destinations
        ("CreateConfigurationSet", {"ConfigurationSetName": "every", "Tags": [{"Key": "k", "Value": "v"}]}, None),
        ("GetConfigurationSet", {"ConfigurationSetName": "every"}, None),
        ("ListConfigurationSets", {}, None),
        ("PutConfigurationSetArchivingOptions", {"ConfigurationSetName": "every", "ArchiveArn": f"arn:aws:ses:{REGION}:{ACCOUNT}:mailmanager-archive/a-1"}, None),
        ("PutConfigurationSetDeliveryOptions", {"ConfigurationSetName": "every", "TlsPolicy": "REQUIRE", "MaxDeliverySeconds": 600}, None),
        ("PutConfigurationSetReputationOptions", {"ConfigurationSetName": "every", "ReputationMetricsEnabled": True}, None),
        ("PutConfigurationSetSendingOptions", {"ConfigurationSetName": "every", "SendingEnabled": True}, None),
        ("PutConfigurationSetSuppressionOptions", {"ConfigurationSetName": "every", "SuppressedReasons": ["BOUNCE"]}, None),
        ("PutConfigurationSetTrackingOptions", {"ConfigurationSetName": "every", "CustomRedirectDomain": "track.every.example"}, None),
        ("PutConfigurationSetVdmOptions", {"ConfigurationSetName": "every", "VdmOptions": {"DashboardOptions": {"EngagementMetrics": "ENABLED"}}}, None),
        ("UpdateConfigurationSet", {"ConfigurationSetName": "every"}, None),
        ("CreateConfigurationSetEventDestination", {"ConfigurationSetName": "every", "EventDestinationName": "bus", "EventDestination": DEST}, None),
        ("GetConfigurationSetEventDestinations", {"ConfigurationSetName": "every"}, None),
        ("UpdateConfigurationSetEventDestination", {"ConfigurationSetName": "every", "EventDestinationName": "bus", "EventDestination": {**DEST, "Enabled": False}}, None),
        ("PutEmailIdentityConfigurationSetAttributes", {"EmailIdentity": "every.example", "ConfigurationSetName": "every"}, None),
        # Templates
        ("CreateEmailTemplate", {"TemplateName": "every", "TemplateContent": TEMPLATE}, None),
        ("GetEmailTemplate", {"TemplateName": "every"}, None),
        ("ListEmailTemplates", {}, None),
        ("UpdateEmailTemplate", {"TemplateName": "every", "TemplateContent": TEMPLATE}, None),
        ("TestRenderEmailTemplate", {"TemplateName": "every", "TemplateData": '{"name":"Ann"}'}, None),
        ("CreateCustomVerificationEmailTemplate", {"TemplateName": "verify", "FromEmailAddress": "verify@every.example", "TemplateSubject": "Verify", "TemplateContent": "<p>Please verify</p>", "SuccessRedirectionURL": "https://every.example/ok", "FailureRedirectionURL": "https://every.example/no"}, None),
        ("GetCustomVerificationEmailTemplate", {"TemplateName": "verify"}, None),
        ("ListCustomVerificationEmailTemplates", {}, None),
        ("UpdateCustomVerificationEmailTemplate", {"TemplateName": "verify", "FromEmailAddress": "verify@every.example", "TemplateSubject": "Verify now", "TemplateContent": "<p>Please verify</p>", "SuccessRedirectionURL": "https://every.example/ok", "FailureRedirectionURL": "https://every.example/no"}, None),
        ("SendCustomVerificationEmail", {"EmailAddress": SIM, "TemplateName": "verify"}, None),
        # Tags
        ("TagResource", {"ResourceArn": arn("configuration-set", "every"), "Tags": [{"Key": "team", "Value": "mail"}]}, None),
        ("ListTagsForResource", {"ResourceArn": arn("configuration-set", "every")}, None),
        ("UntagResource", {"ResourceArn": arn("configuration-set", "every"), "TagKeys": ["team"]}, None),
        # Contact lists
        ("CreateContactList", {"ContactListName": "every", "Topics": [{"TopicName": "news", "DisplayName": "News", "DefaultSubscriptionStatus": "OPT_IN"}]}, None),
        ("GetContactList", {"ContactListName": "every"}, None),
        ("ListContactLists", {}, None),
        ("UpdateContactList", {"ContactListName": "every", "Description": "all of them"}, None),
        ("CreateContact", {"ContactListName": "every", "EmailAddress": "reader@every.example"}, None),
        ("GetContact", {"ContactListName": "every", "EmailAddress": "reader@every.example"}, None),
        ("ListContacts", {"ContactListName": "every"}, None),
        ("UpdateContact", {"ContactListName": "every", "EmailAddress": "reader@every.example", "UnsubscribeAll": True}, None),
        # Suppression
        ("PutSuppressedDestination", {"EmailAddress": "gone@every.example", "Reason": "BOUNCE"}, None),
        ("GetSuppressedDestination", {"EmailAddress": "gone@every.example"}, None),
        ("ListSuppressedDestinations", {}, None),
        # Sending, and what it records
        ("SendEmail", {"FromEmailAddress": "sender@every.example", "Destination": {"ToAddresses": [SIM]}, "Content": SIMPLE}, None),
        ("SendBulkEmail", {"FromEmailAddress": "sender@every.example", "DefaultContent": {"Template": {"TemplateName": "every", "TemplateData": '{"name":"x"}'}}, "BulkEmailEntries": [{"Destination": {"ToAddresses": [SIM]}}]}, None),
        ("GetMessageInsights", lambda: {"MessageId": ctx["SendEmail"]["MessageId"]}, None),
        ("BatchGetMetricData", {"Queries": [METRIC_QUERY]}, None),
        # Export and import jobs
        ("CreateExportJob", {"ExportDataSource": {"MetricsDataSource": {"Dimensions": {"EMAIL_IDENTITY": ["every.example"]}, "Namespace": "VDM", "Metrics": [{"Name": "SEND", "Aggregation": "VOLUME"}], "StartDate": today() - dt.timedelta(days=1), "EndDate": today() + dt.timedelta(days=1)}}, "ExportDestination": {"DataFormat": "CSV"}}, None),
        ("GetExportJob", lambda: {"JobId": ctx["CreateExportJob"]["JobId"]}, None),
        ("ListExportJobs", {}, None),
        ("CreateImportJob", {"ImportDestination": {"SuppressionListDestination": {"SuppressionListImportAction": "PUT"}}, "ImportDataSource": {"S3Url": "s3://every/suppressed.csv", "DataFormat": "CSV"}}, None),
        ("GetImportJob", lambda: {"JobId": ctx["CreateImportJob"]["JobId"]}, None),
        ("ListImportJobs", {}, None),
        # Dedicated IPs
        ("CreateDedicatedIpPool", {"PoolName": "every", "ScalingMode": "STANDARD"}, None),
        ("GetDedicatedIpPool", {"PoolName": "every"}, None),
        ("ListDedicatedIpPools", {}, None),
        ("PutDedicatedIpPoolScalingAttributes", {"PoolName": "every", "ScalingMode": "STANDARD"}, None),
        ("GetDedicatedIps", {}, None),
        ("PutDedicatedIpInPool", {"Ip": IP, "DestinationPoolName": "every"}, None),
        ("GetDedicatedIp", {"Ip": IP}, None),
        ("PutDedicatedIpWarmupAttributes", {"Ip": IP, "WarmupPercentage": 50}, None),
        # The Deliverability dashboard
        ("PutDeliverabilityDashboardOption", {"DashboardEnabled": True, "SubscribedDomains": [{"Domain": "every.example"}]}, None),
        ("GetDeliverabilityDashboardOptions", {}, None),
        ("CreateDeliverabilityTestReport", {"FromEmailAddress": "sender@every.example", "Content": SIMPLE}, None),
        ("GetDeliverabilityTestReport", lambda: {"ReportId": ctx["CreateDeliverabilityTestReport"]["ReportId"]}, None),
        ("ListDeliverabilityTestReports", {}, None),
        ("GetDomainStatisticsReport", {"Domain": "every.example", "StartDate": today() - dt.timedelta(days=7), "EndDate": today()}, None),
        ("ListDomainDeliverabilityCampaigns", {"SubscribedDomain": "every.example", "StartDate": today() - dt.timedelta(days=7), "EndDate": today()}, None),
        # No mail of mailsight's reaches a real inbox, so there is no campaign
        # to read: SES too answers NotFound for an id it does not know.
        ("GetDomainDeliverabilityCampaign", {"CampaignId": "no-such-campaign"}, "NotFoundException"),
        ("GetBlacklistReports", {"BlacklistItemNames": ["198.51.100.7"]}, None),
        # Multi-region endpoints
        ("CreateMultiRegionEndpoint", {"EndpointName": "every", "Details": {"RoutesDetails": [{"Region": "eu-west-1"}]}}, None),
        ("GetMultiRegionEndpoint", {"EndpointName": "every"}, None),
        ("ListMultiRegionEndpoints", {}, None),
        # Tenants and reputation entities
        ("CreateTenant", {"TenantName": "every", "Tags": [{"Key": "k", "Value": "v"}]}, None),
        ("GetTenant", {"TenantName": "every"}, None),
        ("ListTenants", {}, None),
        ("CreateTenantResourceAssociation", {"TenantName": "every", "ResourceArn": arn("identity", "every.example")}, None),
        ("ListTenantResources", {"TenantName": "every"}, None),
        ("ListResourceTenants", {"ResourceArn": arn("identity", "every.example")}, None),
        ("PutTenantSuppressionAttributes", {"TenantName": "every", "SuppressedReasons": ["BOUNCE"], "SuppressionScope": "ACCOUNT"}, None),
        ("ListReputationEntities", {}, None),
        ("GetReputationEntity", lambda: {"ReputationEntityType": "RESOURCE", "ReputationEntityReference": ctx["CreateTenant"]["TenantArn"]}, None),
        ("UpdateReputationEntityCustomerManagedStatus", lambda: {"ReputationEntityType": "RESOURCE", "ReputationEntityReference": ctx["CreateTenant"]["TenantArn"], "SendingStatus": "ENABLED"}, None),
        ("UpdateReputationEntityPolicy", lambda: {"ReputationEntityType": "RESOURCE", "ReputationEntityReference": ctx["CreateTenant"]["TenantArn"], "ReputationEntityPolicy": f"arn:aws:ses:{REGION}:aws:reputation-policy/standard"}, None),
        # Taking it all down again
        # The job may have finished already: then SES refuses to cancel it.
        ("CancelExportJob", lambda: {"JobId": ctx["CreateExportJob"]["JobId"]}, "BadRequestException?"),
        ("DeleteTenantResourceAssociation", {"TenantName": "every", "ResourceArn": arn("identity", "every.example")}, None),
        ("DeleteTenant", {"TenantName": "every"}, None),
        ("DeleteMultiRegionEndpoint", {"EndpointName": "every"}, None),
        ("DeleteDedicatedIpPool", {"PoolName": "every"}, None),
        ("DeleteSuppressedDestination", {"EmailAddress": "gone@every.example"}, None),
        ("DeleteContact", {"ContactListName": "every", "EmailAddress": "reader@every.example"}, None),
        ("DeleteContactList", {"ContactListName": "every"}, None),
        ("DeleteCustomVerificationEmailTemplate", {"TemplateName": "verify"}, None),
        ("DeleteEmailTemplate", {"TemplateName": "every"}, None),
        ("DeleteConfigurationSetEventDestination", {"ConfigurationSetName": "every", "EventDestinationName": "bus"}, None),
        ("DisassociateEmailIdentityCertificate", {"EmailIdentity": "every.example", "FromAddress": "news@every.example"}, None),
        ("DeleteEmailIdentityPolicy", {"EmailIdentity": "every.example", "PolicyName": "p1"}, None),
        ("DeleteEmailIdentity", {"EmailIdentity": "every.example"}, None),
        ("DeleteConfigurationSet", {"ConfigurationSetName": "every"}, None),
    ]


def snake(name: str) -> str:
    return botocore.xform_name(name)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--bucket-dir", required=True, help="the directory the bucket 'every' is bound to")
    ap.add_argument("--operations", required=True, help="the repository's copy of the model's operation list")
    ap.add_argument("--results")
    args = ap.parse_args()

    with open(os.path.join(args.bucket_dir, "suppressed.csv"), "w") as f:
        f.write("emailAddress,reason\nimported@every.example,BOUNCE\n")

    client = boto3.client(
        "sesv2",
        region_name=REGION,
        endpoint_url=args.endpoint,
        aws_access_key_id="AKIDEVERYOPERATION",
        aws_secret_access_key="any",
        config=Config(retries={"max_attempts": 1}),
    )
    passed = failed = 0

    def fail(msg: str):
        nonlocal failed
        failed += 1
        print(f"FAIL {msg}")

    model_ops = set(client.meta.service_model.operation_names)
    copied = set()
    for line in open(args.operations):
        if line.strip() and not line.startswith("#"):
            copied.add(line.split("\t")[0])
    print(f"every-operation: botocore {botocore.__version__}, {len(model_ops)} SES v2 operations")
    if model_ops != copied:
        fail(
            f"botocore {botocore.__version__}'s model and {args.operations} differ: "
            f"only in the model {sorted(model_ops - copied)}, only in the copy {sorted(copied - model_ops)}"
        )
    else:
        passed += 1

    ctx: dict = {}
    plan = calls(ctx)
    planned = [op for op, _, _ in plan]
    missing = sorted(model_ops - set(planned))
    if missing:
        fail(f"no call for {missing}")
    twice = sorted({op for op in planned if planned.count(op) > 1})
    if twice:
        fail(f"called twice: {twice}")
    for op, given, expected in plan:
        if op not in model_ops:
            fail(f"{op} is not an operation of botocore {botocore.__version__}")
            continue
        try:
            kwargs = given() if callable(given) else given
            out = getattr(client, snake(op))(**kwargs)
            out.pop("ResponseMetadata", None)
            ctx[op] = out
            if expected and not expected.endswith("?"):
                fail(f"{op}: answered {out}, expected {expected}")
            else:
                passed += 1
        except ClientError as e:
            code = e.response["Error"]["Code"]
            if expected and code == expected.rstrip("?"):
                passed += 1
            else:
                fail(f"{op}: {code}: {e.response['Error'].get('Message')}")
        except Exception as e:  # a parse error in boto3 is a failure too
            fail(f"{op}: {type(e).__name__}: {e}")
            traceback.print_exc()

    print(f"[every-operation] {passed} checks passed, {failed} checks failed")
    if args.results:
        with open(args.results, "a") as out:
            out.write(json.dumps({"phase": "every-operation", "passed": passed, "failed": failed}) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
