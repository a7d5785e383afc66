//! The code systems a Consent is read in and written with, and the codes of
//! `std.consent`'s `PurposeOfUse` and `DataClass` in declaration order (the order the
//! contract sorts a set of them in).

/// HL7 v3 ActReason: `Consent.provision.purpose`.
pub const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
/// FHIR R4's resource types: `Consent.provision.class`.
pub const RESOURCE_TYPES_R4: &str = "http://hl7.org/fhir/resource-types";
/// FHIR R5's types: `Consent.provision.resourceType`.
pub const RESOURCE_TYPES_R5: &str = "http://hl7.org/fhir/fhir-types";
/// Assent's own code system for the data classes no FHIR resource type names alone
/// (`Lab`, `Vitals`, `Note`, the sensitive classes); its codes are `DataClass`'s names.
pub const DATA_CLASS: &str = "urn:assent:data-class";
/// An actor or patient named by address, with no entry in the identities file.
pub const ADDRESS: &str = "urn:assent:address";
/// HL7 v3 ParticipationType: `Consent.provision.actor.role`.
pub const PARTICIPATION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
/// The role export writes: primary information recipient.
pub const RECIPIENT: &str = "PRCP";
/// The recipient roles import accepts (primary information recipient, information
/// recipient): a grant's grantee receives the data.
pub const RECIPIENT_ROLES: [&str; 2] = ["PRCP", "IRCP"];
/// FHIR's consent actions: `Consent.provision.action`.
pub const CONSENT_ACTION: &str = "http://terminology.hl7.org/CodeSystem/consentaction";
/// The actions a grant covers: reading the data (`access`) and using it (`use`).
pub const GRANTED_ACTIONS: [&str; 2] = ["access", "use"];

/// `PurposeOfUse`'s codes, in declaration order (each parent before its children).
pub const PURPOSES: &[&str] = &[
    "TREAT",
    "ETREAT",
    "BTG",
    "ERTREAT",
    "CAREMGT",
    "CLINTRL",
    "POPHLTH",
    "HPAYMT",
    "CLMATTCH",
    "COVAUTH",
    "COVERAGE",
    "ELIGDTRM",
    "ELIGVER",
    "ENROLLM",
    "REMITADV",
    "HOPERAT",
    "DONAT",
    "FRAUD",
    "GOV",
    "HACCRED",
    "HCOMPL",
    "HDECD",
    "HDIRECT",
    "HLEGAL",
    "HOUTCOMS",
    "HPRGRP",
    "HQUALIMP",
    "HSYSADMIN",
    "MEMADMIN",
    "PATADMIN",
    "PATSFTY",
    "PERFMSR",
    "RECORDMGT",
    "TRAIN",
    "HRESCH",
    "CLINTRCH",
    "PATRQT",
    "FAMRQT",
    "PWATRNY",
    "SUPNWK",
    "PUBHLTH",
    "DISASTER",
    "THREAT",
    "HMARKT",
];

/// `DataClass`'s codes, in declaration order.
pub const CLASSES: &[&str] = &[
    "Demographics",
    "Encounter",
    "Condition",
    "Procedure",
    "Medication",
    "Immunization",
    "Allergy",
    "Lab",
    "Vitals",
    "Imaging",
    "Note",
    "Claim",
    "Sensitive",
    "MentalHealth",
    "SubstanceUse",
    "Hiv",
    "Genetic",
    "Reproductive",
    "SexualHealth",
];

/// The FHIR resource types that hold exactly one data class, and it. Export writes a
/// class as the first type listed for it; import reads every type listed.
pub const RESOURCE_TYPES: &[(&str, &str)] = &[
    ("Patient", "Demographics"),
    ("Encounter", "Encounter"),
    ("Condition", "Condition"),
    ("Procedure", "Procedure"),
    ("MedicationRequest", "Medication"),
    ("MedicationStatement", "Medication"),
    ("MedicationAdministration", "Medication"),
    ("MedicationDispense", "Medication"),
    ("Immunization", "Immunization"),
    ("AllergyIntolerance", "Allergy"),
    ("ImagingStudy", "Imaging"),
    ("Claim", "Claim"),
];

/// The position of a purpose code in declaration order.
pub fn purpose_rank(code: &str) -> Option<usize> {
    PURPOSES.iter().position(|known| *known == code)
}

/// The position of a data class in declaration order.
pub fn class_rank(code: &str) -> Option<usize> {
    CLASSES.iter().position(|known| *known == code)
}

/// The data class a FHIR resource type holds; `None` for a type that holds several
/// (`Observation`: lab results and vital signs) or none of them.
pub fn class_of_resource_type(resource_type: &str) -> Option<&'static str> {
    RESOURCE_TYPES
        .iter()
        .find(|(name, _)| *name == resource_type)
        .map(|(_, class)| *class)
}

/// The resource type export writes for a class, when one holds it alone.
pub fn resource_type_of_class(class: &str) -> Option<&'static str> {
    RESOURCE_TYPES
        .iter()
        .find(|(_, known)| *known == class)
        .map(|(name, _)| *name)
}
