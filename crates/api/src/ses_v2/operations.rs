//! Every SES v2 operation mailsight answers, declared once: its name as in
//! the botocore `sesv2` model, its handler, and its routes (the model's,
//! plus the older routes some SDKs still send). Routing, names in logs and
//! errors, and dispatch all come from this table; `route.rs` tests it
//! against the model's own list (`tests/data/sesv2-operations.tsv`).
//!
//! To add an operation: one line here, one handler in the resource's file.

use super::*;
use crate::front::operations::operations;

operations! {
    /// One SES v2 operation.
    pub enum Operation(Call<'_>) -> Answer;

    // Sending
    SendEmail => send::send_email [POST "/v2/email/outbound-emails"];
    SendBulkEmail => send::send_bulk_email [POST "/v2/email/outbound-bulk-emails"];

    // Configuration sets
    CreateConfigurationSet => configuration_sets::create [POST "/v2/email/configuration-sets"];
    GetConfigurationSet => configuration_sets::get
        [GET "/v2/email/configuration-sets/{ConfigurationSetName}"];
    ListConfigurationSets => configuration_sets::list
        [GET "/v2/email/configuration-sets", POST "/v2/email/list-configuration-sets"];
    UpdateConfigurationSet => configuration_sets::update [POST "/v2/email/update-configuration-sets"];
    PutConfigurationSetTrackingOptions => configuration_sets::put_option
        [PUT "/v2/email/configuration-sets/{ConfigurationSetName}/tracking-options"];
    PutConfigurationSetDeliveryOptions => configuration_sets::put_option
        [PUT "/v2/email/configuration-sets/{ConfigurationSetName}/delivery-options"];
    PutConfigurationSetReputationOptions => configuration_sets::put_option
        [PUT "/v2/email/configuration-sets/{ConfigurationSetName}/reputation-options"];
    PutConfigurationSetSendingOptions => configuration_sets::put_option
        [PUT "/v2/email/configuration-sets/{ConfigurationSetName}/sending"];
    PutConfigurationSetSuppressionOptions => configuration_sets::put_option
        [PUT "/v2/email/configuration-sets/{ConfigurationSetName}/suppression-options"];
    PutConfigurationSetVdmOptions => configuration_sets::put_option
        [PUT "/v2/email/configuration-sets/{ConfigurationSetName}/vdm-options"];
    PutConfigurationSetArchivingOptions => configuration_sets::put_option
        [PUT "/v2/email/configuration-sets/{ConfigurationSetName}/archiving-options"];
    DeleteConfigurationSet => configuration_sets::delete
        [DELETE "/v2/email/configuration-sets/{ConfigurationSetName}"];

    // Event destinations
    CreateConfigurationSetEventDestination => event_destinations::create
        [POST "/v2/email/configuration-sets/{ConfigurationSetName}/event-destinations"];
    GetConfigurationSetEventDestinations => event_destinations::get
        [GET "/v2/email/configuration-sets/{ConfigurationSetName}/event-destinations"];
    UpdateConfigurationSetEventDestination => event_destinations::update
        [PUT "/v2/email/configuration-sets/{ConfigurationSetName}/event-destinations/{EventDestinationName}"];
    DeleteConfigurationSetEventDestination => event_destinations::delete
        [DELETE "/v2/email/configuration-sets/{ConfigurationSetName}/event-destinations/{EventDestinationName}"];

    // Identities
    CreateEmailIdentity => identities::create [POST "/v2/email/identities"];
    GetEmailIdentity => identities::get [GET "/v2/email/identities/{EmailIdentity}"];
    ListEmailIdentities => identities::list
        [GET "/v2/email/identities", POST "/v2/email/list-identities"];
    DeleteEmailIdentity => identities::delete [DELETE "/v2/email/identities/{EmailIdentity}"];
    PutEmailIdentityDkimAttributes => identities::put_dkim
        [PUT "/v2/email/identities/{EmailIdentity}/dkim"];
    PutEmailIdentityFeedbackAttributes => identities::put_feedback
        [PUT "/v2/email/identities/{EmailIdentity}/feedback"];
    PutEmailIdentityConfigurationSetAttributes => identities::put_configuration_set
        [PUT "/v2/email/identities/{EmailIdentity}/configuration-set"];
    PutEmailIdentityMailFromAttributes => identities::put_mail_from
        [PUT "/v2/email/identities/{EmailIdentity}/mail-from"];
    PutEmailIdentityDkimSigningAttributes => identities::put_dkim_signing
        [PUT "/v2/email/identities/{EmailIdentity}/dkim/signing"];
    AssociateEmailIdentityCertificate => identity_certificates::associate
        [POST "/v2/email/identity/certificates"];
    DisassociateEmailIdentityCertificate => identity_certificates::disassociate
        [POST "/v2/email/identity/certificates/delete"];
    ListEmailIdentityCertificates => identity_certificates::list
        [POST "/v2/email/identity/certificates/list"];
    CreateEmailIdentityPolicy => identity_policies::create
        [POST "/v2/email/identities/{EmailIdentity}/policies/{PolicyName}"];
    GetEmailIdentityPolicies => identity_policies::get
        [GET "/v2/email/identities/{EmailIdentity}/policies"];
    UpdateEmailIdentityPolicy => identity_policies::update
        [PUT "/v2/email/identities/{EmailIdentity}/policies/{PolicyName}"];
    DeleteEmailIdentityPolicy => identity_policies::delete
        [DELETE "/v2/email/identities/{EmailIdentity}/policies/{PolicyName}"];

    // Account, insights and metrics
    GetAccount => account::get [GET "/v2/email/account"];
    PutAccountSendingAttributes => account::put_sending [PUT "/v2/email/account/sending"];
    PutAccountVdmAttributes => account::put_vdm [PUT "/v2/email/account/vdm"];
    PutAccountDetails => account_settings::put_details [POST "/v2/email/account/details"];
    PutAccountDeliveryAttributes => account_settings::put_delivery
        [POST "/v2/email/account/delivery"];
    PutAccountPricingAttributes => account_settings::put_pricing
        [PUT "/v2/email/account/pricing-attributes"];
    ListRecommendations => account_settings::list_recommendations
        [POST "/v2/email/vdm/recommendations"];
    GetEmailAddressInsights => account_settings::email_address_insights
        [POST "/v2/email/email-address-insights/", POST "/v2/email/email-address-insights"];
    BatchGetMetricData => metrics::batch_get [POST "/v2/email/metrics/batch"];
    GetMessageInsights => insights::get
        [GET "/v2/email/insights/{MessageId}/", GET "/v2/email/insights/{MessageId}"];

    // Export jobs
    CreateExportJob => export_jobs::create [POST "/v2/email/export-jobs"];
    GetExportJob => export_jobs::get [GET "/v2/email/export-jobs/{JobId}"];
    ListExportJobs => export_jobs::list [POST "/v2/email/list-export-jobs"];
    CancelExportJob => export_jobs::cancel [PUT "/v2/email/export-jobs/{JobId}/cancel"];

    // Templates
    CreateEmailTemplate => templates::create [POST "/v2/email/templates"];
    ListEmailTemplates => templates::list [GET "/v2/email/templates"];
    GetEmailTemplate => templates::get [GET "/v2/email/templates/{TemplateName}"];
    UpdateEmailTemplate => templates::update [PUT "/v2/email/templates/{TemplateName}"];
    DeleteEmailTemplate => templates::delete [DELETE "/v2/email/templates/{TemplateName}"];
    TestRenderEmailTemplate => templates::test_render
        [POST "/v2/email/templates/{TemplateName}/render"];

    // Import jobs
    CreateImportJob => import_jobs::create [POST "/v2/email/import-jobs"];
    GetImportJob => import_jobs::get [GET "/v2/email/import-jobs/{JobId}"];
    ListImportJobs => import_jobs::list [POST "/v2/email/import-jobs/list"];

    // Tenants and their resources
    CreateTenant => tenants::create [POST "/v2/email/tenants"];
    GetTenant => tenants::get [POST "/v2/email/tenants/get"];
    ListTenants => tenants::list [POST "/v2/email/tenants/list"];
    DeleteTenant => tenants::delete [POST "/v2/email/tenants/delete"];
    CreateTenantResourceAssociation => tenants::associate [POST "/v2/email/tenants/resources"];
    DeleteTenantResourceAssociation => tenants::disassociate
        [POST "/v2/email/tenants/resources/delete"];
    ListTenantResources => tenants::list_resources [POST "/v2/email/tenants/resources/list"];
    ListResourceTenants => tenants::list_resource_tenants
        [POST "/v2/email/resources/tenants/list"];
    PutTenantSuppressionAttributes => tenants::put_suppression
        [POST "/v2/email/tenant/suppression"];

    // Reputation entities (the tenants)
    ListReputationEntities => reputation::list [POST "/v2/email/reputation/entities"];
    GetReputationEntity => reputation::get
        [GET "/v2/email/reputation/entities/{ReputationEntityType}/{ReputationEntityReference}"];
    UpdateReputationEntityCustomerManagedStatus => reputation::update_status
        [PUT "/v2/email/reputation/entities/{ReputationEntityType}/{ReputationEntityReference}/customer-managed-status"];
    UpdateReputationEntityPolicy => reputation::update_policy
        [PUT "/v2/email/reputation/entities/{ReputationEntityType}/{ReputationEntityReference}/policy"];

    // Multi-region endpoints
    CreateMultiRegionEndpoint => multi_region::create [POST "/v2/email/multi-region-endpoints"];
    ListMultiRegionEndpoints => multi_region::list [GET "/v2/email/multi-region-endpoints"];
    GetMultiRegionEndpoint => multi_region::get
        [GET "/v2/email/multi-region-endpoints/{EndpointName}"];
    DeleteMultiRegionEndpoint => multi_region::delete
        [DELETE "/v2/email/multi-region-endpoints/{EndpointName}"];

    // The Deliverability dashboard
    GetDeliverabilityDashboardOptions => deliverability::get_options
        [GET "/v2/email/deliverability-dashboard"];
    PutDeliverabilityDashboardOption => deliverability::put_option
        [PUT "/v2/email/deliverability-dashboard"];
    CreateDeliverabilityTestReport => deliverability::create_test_report
        [POST "/v2/email/deliverability-dashboard/test"];
    ListDeliverabilityTestReports => deliverability::list_test_reports
        [GET "/v2/email/deliverability-dashboard/test-reports"];
    GetDeliverabilityTestReport => deliverability::get_test_report
        [GET "/v2/email/deliverability-dashboard/test-reports/{ReportId}"];
    GetDomainStatisticsReport => deliverability::domain_statistics
        [GET "/v2/email/deliverability-dashboard/statistics-report/{Domain}"];
    ListDomainDeliverabilityCampaigns => deliverability::list_campaigns
        [GET "/v2/email/deliverability-dashboard/domains/{SubscribedDomain}/campaigns"];
    GetDomainDeliverabilityCampaign => deliverability::get_campaign
        [GET "/v2/email/deliverability-dashboard/campaigns/{CampaignId}"];
    GetBlacklistReports => deliverability::blacklist_reports
        [GET "/v2/email/deliverability-dashboard/blacklist-report"];

    // Dedicated IPs and pools
    CreateDedicatedIpPool => dedicated_ips::create_pool [POST "/v2/email/dedicated-ip-pools"];
    ListDedicatedIpPools => dedicated_ips::list_pools [GET "/v2/email/dedicated-ip-pools"];
    GetDedicatedIpPool => dedicated_ips::get_pool [GET "/v2/email/dedicated-ip-pools/{PoolName}"];
    DeleteDedicatedIpPool => dedicated_ips::delete_pool
        [DELETE "/v2/email/dedicated-ip-pools/{PoolName}"];
    PutDedicatedIpPoolScalingAttributes => dedicated_ips::put_scaling
        [PUT "/v2/email/dedicated-ip-pools/{PoolName}/scaling"];
    GetDedicatedIps => dedicated_ips::get_ips [GET "/v2/email/dedicated-ips"];
    GetDedicatedIp => dedicated_ips::get_ip [GET "/v2/email/dedicated-ips/{IP}"];
    PutDedicatedIpInPool => dedicated_ips::put_ip_in_pool [PUT "/v2/email/dedicated-ips/{IP}/pool"];
    PutDedicatedIpWarmupAttributes => dedicated_ips::put_ip_warmup
        [PUT "/v2/email/dedicated-ips/{IP}/warmup"];
    PutAccountDedicatedIpWarmupAttributes => dedicated_ips::put_account_warmup
        [PUT "/v2/email/account/dedicated-ips/warmup"];

    // Custom verification email templates
    CreateCustomVerificationEmailTemplate => custom_verification::create
        [POST "/v2/email/custom-verification-email-templates"];
    ListCustomVerificationEmailTemplates => custom_verification::list
        [GET "/v2/email/custom-verification-email-templates"];
    GetCustomVerificationEmailTemplate => custom_verification::get
        [GET "/v2/email/custom-verification-email-templates/{TemplateName}"];
    UpdateCustomVerificationEmailTemplate => custom_verification::update
        [PUT "/v2/email/custom-verification-email-templates/{TemplateName}"];
    DeleteCustomVerificationEmailTemplate => custom_verification::delete
        [DELETE "/v2/email/custom-verification-email-templates/{TemplateName}"];
    SendCustomVerificationEmail => custom_verification::send
        [POST "/v2/email/outbound-custom-verification-emails"];

    // Contact lists and contacts
    CreateContactList => contact_lists::create [POST "/v2/email/contact-lists"];
    ListContactLists => contact_lists::list [GET "/v2/email/contact-lists"];
    GetContactList => contact_lists::get [GET "/v2/email/contact-lists/{ContactListName}"];
    UpdateContactList => contact_lists::update [PUT "/v2/email/contact-lists/{ContactListName}"];
    DeleteContactList => contact_lists::delete
        [DELETE "/v2/email/contact-lists/{ContactListName}"];
    CreateContact => contacts::create [POST "/v2/email/contact-lists/{ContactListName}/contacts"];
    ListContacts => contacts::list
        [POST "/v2/email/contact-lists/{ContactListName}/contacts/list"];
    GetContact => contacts::get
        [GET "/v2/email/contact-lists/{ContactListName}/contacts/{EmailAddress}"];
    UpdateContact => contacts::update
        [PUT "/v2/email/contact-lists/{ContactListName}/contacts/{EmailAddress}"];
    DeleteContact => contacts::delete
        [DELETE "/v2/email/contact-lists/{ContactListName}/contacts/{EmailAddress}"];

    // Tags
    TagResource => tags::tag_resource [POST "/v2/email/tags"];
    UntagResource => tags::untag_resource [DELETE "/v2/email/tags"];
    ListTagsForResource => tags::list_tags [GET "/v2/email/tags"];

    // Suppression
    PutSuppressedDestination => suppression::put [PUT "/v2/email/suppression/addresses"];
    ListSuppressedDestinations => suppression::list [GET "/v2/email/suppression/addresses"];
    GetSuppressedDestination => suppression::get
        [GET "/v2/email/suppression/addresses/{EmailAddress}"];
    DeleteSuppressedDestination => suppression::delete
        [DELETE "/v2/email/suppression/addresses/{EmailAddress}"];
    PutAccountSuppressionAttributes => suppression::put_account_attributes
        [PUT "/v2/email/account/suppression"];
}
