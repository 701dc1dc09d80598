//! Built-in word lists for generated people: ASCII only, so that work emails
//! derived from them match Kombo's email pattern.

pub const FIRST_NAMES: &[&str] = &[
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Katrin", "Leon", "Marie", "Noah",
    "Olivia", "Paul", "Quentin", "Rosa", "Samuel", "Tara", "Ulrich", "Vera", "William", "Xenia", "Yusuf", "Zoe", "Amelie",
    "Bruno", "Chloe", "Daniel", "Emma", "Finn", "Hannah", "Isaac", "Julia", "Karim", "Lena", "Mateo", "Nora", "Oscar", "Priya",
    "Rafael", "Sofia", "Tom", "Valentin", "Wen", "Yara", "Aiko", "Camille", "Lucas", "Manon", "Theo", "Louise", "Jack", "Grace",
    "Ethan", "Ava", "Liam", "Mia", "Omar",
];

pub const LAST_NAMES: &[&str] = &[
    "Mueller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Koch",
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Wilson",
    "Taylor",
    "Evans",
    "Walker",
    "Wright",
    "Roberts",
    "Khan",
    "Patel",
    "Nguyen",
    "Kim",
    "Tanaka",
    "Rossi",
    "Russo",
    "Novak",
    "Kowalski",
    "Jensen",
    "Larsen",
    "Silva",
    "Santos",
    "Haddad",
    "Okafor",
    "Mensah",
    "Ivanova",
    "Petrov",
    "Berg",
    "Lindqvist",
    "OBrien",
    "Murphy",
    "Kelly",
    "Fontaine",
    "Lambert",
];

pub const NATIONALITIES: &[&str] = &["DE", "FR", "US", "GB", "IT", "ES", "PL", "IN", "NG", "JP"];

pub const GENDERS: &[&str] = &["MALE", "FEMALE", "NON_BINARY", "NOT_SPECIFIED"];

pub const MARITAL_STATUSES: &[&str] = &["SINGLE", "MARRIED", "DIVORCED", "NOT_MARRIED"];

pub const SALARY_BANDS: &[&str] = &["L1", "L2", "L3", "L4", "L5", "M1", "M2"];

pub const STREETS: &[&str] = &[
    "Lindenstrasse",
    "Rue de la Paix",
    "Maple Avenue",
    "High Street",
    "Hauptstrasse",
    "Rue Victor Hugo",
    "Oak Street",
    "Church Road",
];
