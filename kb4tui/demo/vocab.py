"""Fixed word lists the demo organisation is drawn from (names, departments, content)."""

from __future__ import annotations

from typing import Final

# fmt: off
FIRST_NAMES: Final = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "James",
    "Mia", "William", "Amelia", "Benjamin", "Harper", "Lucas", "Evelyn", "Henry", "Abigail",
    "Theodore", "Emily", "Jack", "Ella", "Levi", "Elizabeth", "Alexander", "Camila", "Jackson",
    "Luna", "Mateo", "Sofia", "Daniel", "Avery", "Michael", "Mila", "Mason", "Aria", "Sebastian",
    "Scarlett", "Ethan", "Penelope", "Logan", "Layla", "Owen", "Chloe", "Samuel", "Victoria",
    "Jacob", "Madison", "Asher", "Eleanor", "Aiden", "Grace", "John", "Nora", "Joseph", "Riley",
    "Wyatt", "Zoey", "David", "Hannah", "Leo", "Hazel", "Luke", "Lily", "Julian", "Ellie",
    "Hudson", "Violet", "Grayson", "Lillian", "Matthew", "Zoë", "Ezra", "Stella", "Gabriel",
    "Aurora", "Carter", "Natalie", "Isaac", "Emilia", "Jayden", "Everly", "Anthony", "Leah",
    "Dylan", "Aubrey", "Lincoln", "Willow", "Thomas", "Addison", "Maverick", "Lucy", "Elias",
    "Audrey", "Josiah", "Bella", "Charles", "Nova", "Caleb", "Brooklyn", "Christopher", "Paisley",
    "Priya", "Arjun", "Wei", "Mei", "Hiroshi", "Yuki", "Fatima", "Omar", "Aisha", "Mohammed",
    "José", "María", "Siobhán", "Seán", "Björn", "Ingrid", "Chidi", "Ngozi", "Dmitri", "Anya",
    "Thabo", "Lerato", "Kwame", "Ama", "Raj", "Ananya", "Minh", "Linh", "Søren", "Astrid",
)

LAST_NAMES: Final = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson",
    "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price",
    "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
    "O'Brien", "O'Connor", "McAllister", "Van der Berg", "Müller", "Schmidt", "Fischer",
    "Kowalski", "Nowak", "Novak", "Horvat", "Rossi", "Russo", "Bianchi", "Dubois", "Lefèvre",
    "Moreau", "Yamamoto", "Tanaka", "Suzuki", "Wang", "Li", "Zhang", "Chen", "Singh", "Kumar",
    "Sharma", "Okafor", "Adeyemi", "Mensah", "Nkosi", "Haddad", "Khan", "Hussain", "Ivanova",
    "Petrov", "Andersson", "Johansson", "Nielsen", "Hansen", "Silva", "Santos", "Pereira",
)

# fmt: on

# department -> (job titles, division)
DEPARTMENTS: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    "Engineering": (
        (
            "Software Engineer",
            "Senior Software Engineer",
            "Staff Engineer",
            "QA Engineer",
            "DevOps Engineer",
            "Engineering Manager",
            "Site Reliability Engineer",
        ),
        "Technology",
    ),
    "IT": (
        (
            "IT Support Analyst",
            "Systems Administrator",
            "Network Engineer",
            "IT Manager",
            "Service Desk Technician",
        ),
        "Technology",
    ),
    "Security": (
        ("Security Analyst", "Security Engineer", "GRC Analyst", "CISO"),
        "Technology",
    ),
    "Sales": (
        (
            "Account Executive",
            "Sales Development Representative",
            "Regional Sales Manager",
            "Sales Operations Analyst",
            "Key Account Manager",
        ),
        "Commercial",
    ),
    "Marketing": (
        (
            "Marketing Specialist",
            "Content Writer",
            "Product Marketing Manager",
            "Digital Marketing Analyst",
            "Brand Designer",
        ),
        "Commercial",
    ),
    "Customer Support": (
        ("Support Agent", "Senior Support Agent", "Support Team Lead", "Customer Success Manager"),
        "Commercial",
    ),
    "Finance": (
        (
            "Accountant",
            "Accounts Payable Clerk",
            "Financial Analyst",
            "Controller",
            "Payroll Specialist",
        ),
        "Corporate",
    ),
    "HR": (
        ("HR Generalist", "Recruiter", "HR Business Partner", "People Operations Coordinator"),
        "Corporate",
    ),
    "Legal": (("Paralegal", "Corporate Counsel", "Compliance Officer"), "Corporate"),
    "Operations": (
        (
            "Operations Coordinator",
            "Logistics Planner",
            "Warehouse Supervisor",
            "Dispatcher",
            "Operations Manager",
            "Fleet Coordinator",
        ),
        "Operations",
    ),
    "Facilities": (
        ("Facilities Coordinator", "Maintenance Technician", "Office Manager"),
        "Operations",
    ),
    "Procurement": (("Buyer", "Procurement Specialist", "Vendor Manager"), "Operations"),
    "Executive": (
        (
            "Chief Executive Officer",
            "Chief Financial Officer",
            "Chief Operating Officer",
            "VP Sales",
            "VP Engineering",
            "Executive Assistant",
        ),
        "Corporate",
    ),
}

# Relative weights: how many staff each department has.
DEPARTMENT_WEIGHTS: Final = {
    "Engineering": 18,
    "IT": 5,
    "Security": 2,
    "Sales": 14,
    "Marketing": 6,
    "Customer Support": 14,
    "Finance": 6,
    "HR": 4,
    "Legal": 2,
    "Operations": 20,
    "Facilities": 3,
    "Procurement": 3,
    "Executive": 1,
}

LOCATIONS: Final = (
    ("Chicago, IL", "US"),
    ("Austin, TX", "US"),
    ("Newark, NJ", "US"),
    ("Denver, CO", "US"),
    ("London", "UK"),
    ("Manchester", "UK"),
    ("Dublin", "IE"),
    ("Rotterdam", "NL"),
    ("Hamburg", "DE"),
    ("Toronto, ON", "CA"),
    ("Remote", "US"),
)
EMEA_COUNTRIES: Final = frozenset({"UK", "IE", "NL", "DE"})

ORGANISATIONS: Final = (
    ("Northwind Logistics", "northwind-logistics.example", "nwlogistics.example"),
    ("Contoso Health Partners", "contoso-health.example", "contosohp.example"),
    ("Fabrikam Manufacturing", "fabrikam.example", "fabrikam-mfg.example"),
    ("Tailspin Credit Union", "tailspin-cu.example", "tailspinbank.example"),
    ("Adatum Legal LLP", "adatum-legal.example", "adatum.example"),
)

# (name, type, minutes or None, publisher)
STORE_CONTENT: Final = (
    ("2026 Kevin Mitnick Security Awareness Training - 45 min", "Training Module", 45, "KnowBe4"),
    ("2026 KnowBe4 Security Awareness Training - 25 min", "Training Module", 25, "KnowBe4"),
    ("Common Threats, Part 1 - Miranda's Story", "Training Module", 15, "KnowBe4"),
    ("Social Engineering Red Flags", "Training Module", 15, "KnowBe4"),
    ("Business Email Compromise: Wire Fraud", "Training Module", 20, "KnowBe4"),
    (
        "Secure Coding Fundamentals: OWASP Top 10",
        "Training Module",
        40,
        "The Security Awareness Company",
    ),
    ("HIPAA for Healthcare Workers", "Training Module", 30, "The Security Awareness Company"),
    ("GDPR: Your Role in Data Protection", "Training Module", 25, "Exploqii"),
    ("PCI DSS: Handling Cardholder Data", "Training Module", 20, "The Security Awareness Company"),
    ("Privileged Access for IT Administrators", "Training Module", 35, "KnowBe4"),
    ("Ransomware: Don't Take the Bait", "Video", 8, "Twist & Shout"),
    ("The Inside Man, Season 1 Episode 1", "Video", 12, "Twist & Shout"),
    ("Password Managers in 5 Minutes", "Video", 5, "Popcorn Training"),
    ("Vishing: When the Phone Rings", "Video", 7, "Popcorn Training"),
    ("Working Remotely and Securely", "Video", 10, "Habitu8"),
    ("Mobile Device Security Essentials", "Video", 9, "Habitu8"),
    ("Travel Security Tips", "Video", 6, "The Security Awareness Company"),
    ("Phish Hunter: Spot the Phish", "Game", 15, "KnowBe4"),
    ("Security Escape Room", "Game", 20, "Exploqii"),
    ("Password Battle Arena", "Game", 12, "Popcorn Training"),
    ("Security Awareness Proficiency Assessment", "Assessment", 10, "KnowBe4"),
    ("Phishing IQ Check", "Assessment", 6, "KnowBe4"),
    ("Data Handling Knowledge Check", "Assessment", 8, "The Security Awareness Company"),
    ("Security Hints & Tips Newsletter: Q1", "Newsletter", 4, "KnowBe4"),
    ("Security Hints & Tips Newsletter: Q2", "Newsletter", 4, "KnowBe4"),
    ("Cyber Safe at Home Newsletter", "Newsletter", 5, "The Security Awareness Company"),
    ("Think Before You Click Poster", "Poster", None, "KnowBe4"),
    ("Lock Your Screen Poster", "Poster", None, "The Security Awareness Company"),
    ("Clean Desk Poster", "Poster", None, "Exploqii"),
    ("Insider Threat: Recognising the Signs", "Training Module", 20, "KnowBe4"),
)

DESCRIPTIONS: Final = {
    "Training Module": "An interactive course with scenarios and a short quiz covering {topic}...",
    "Video": "A short video on {topic}, suitable for all staff...",
    "Game": "A gamified challenge that reinforces {topic} through play...",
    "Assessment": "A knowledge check that measures understanding of {topic}...",
    "Newsletter": "A printable newsletter for staff about {topic}...",
    "Poster": "A downloadable poster reminding staff about {topic}...",
}

# (name, minimum_time minutes)
POLICIES: Final = (
    ("Acceptable Use Policy", 3),
    ("Information Security Policy", 5),
    ("Remote Access Policy", 3),
    ("Data Classification Standard", 4),
    ("Bring Your Own Device Policy (draft)", 2),
)
