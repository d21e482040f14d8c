"""Checklist of the published 2021-22 report's chapters 3 and 5, in our own words.

Each topic is a few short phrases that the section covering it must contain; each quote is
its opening words. tests/test_reference_build.py checks them all against the built IJB paper.
"""

from __future__ import annotations

# (chapter part, topic): phrases that must all appear
TOPICS: dict[tuple[str, str], tuple[str, ...]] = {
    # 3.1 Overview of key performance information and service improvements
    ("3.1", "children's services performance"): ("Our Promise to Care Experienced Children", "de-registered"),
    ("3.1", "joint inspection of services for children at risk of harm"): (
        "Joint Inspection",
        "capacity for further improvement",
    ),
    ("3.1", "transforming public protection audits"): ("Transforming Public Protection",),
    ("3.1", "review of adolescent services"): ("integrated young people's service",),
    ("3.1", "adolescent senior manager oversight"): ("critical few",),
    ("3.1", "domestic abuse test of change"): ("Safe and Together",),
    ("3.1", "Pause"): ("Pause programme",),
    ("3.1", "Prevent multi-agency panel"): ("Prevent Multi-Agency Panel", "Counter-Terrorism and Security Act 2015"),
    ("3.1", "kinship care team"): ("Kinship Care Team", "Kith n Kin"),
    ("3.1", "children with disabilities"): ("Gillburn", "children with disabilities"),
    ("3.1", "secure care"): ("Secure Care Standards", "thematic review"),
    ("3.1", "permanence and adoption"): ("Permanence Orders",),
    ("3.1", "PACE"): ("Permanence and Care Excellence",),
    ("3.1", "unaccompanied asylum-seeking children and Ukraine"): ("National Transfer Scheme", "Ukrain"),
    ("3.1", "out of hours service"): ("Out of Hours",),
    ("3.1", "community justice performance"): ("Diversion from Prosecution", "Community Payback Orders"),
    ("3.1", "unpaid work"): ("Unpaid Work Team",),
    ("3.1", "community custody unit"): ("Bella",),
    ("3.1", "adult health and social care performance"): ("life expectancy",),
    ("3.1", "community health inequalities"): ("Social Prescribing",),
    ("3.1", "emergency bed days, readmissions and falls"): ("readmi", "falls"),
    ("3.1", "discharge management"): ("Home First", "Flow and Navigation Centre"),
    ("3.1", "delayed discharge"): ("delayed discharge", "Planned Date of Discharge"),
    ("3.1", "support for independent living"): ("Independent Living Review", "Equipment Store"),
    ("3.1", "mental health step up and step down"): ("Turriff House",),
    ("3.1", "support for unpaid carers"): ("A Caring Dundee 2", "young carers"),
    ("3.1", "last six months of life at home"): ("last six months of life",),
    ("3.1", "self-directed support"): ("Option 1", "Option 2"),
    ("3.1", "personalisation"): ("Health and Care Experience Survey",),
    ("3.1", "mental health detentions and orders"): ("Compulsory Treatment Orders", "emergency detention"),
    ("3.1", "community mental health services"): ("Community Wellbeing Centre", "Paramedic Mental Health Response"),
    ("3.1", "learning disability and autism"): ("Learning Disability and Autism Strategic Planning Group",),
    ("3.1", "drug and alcohol recovery"): ("non-fatal overdose", "drug related deaths"),
    ("3.1", "adult support and protection referrals"): ("adult protection referrals", "Scottish Fire and Rescue"),
    ("3.1", "trauma-informed practice"): ("Care Home Trauma",),
    ("3.1", "violence against women services"): ("Dundee Women's Aid", "Women's Rape and Sexual Abuse Centre"),
    ("3.1", "Housing First"): ("Housing First",),
    ("3.1", "case review activity"): ("Initial Case Reviews", "Young Person K"),
    ("3.1", "case review developments"): ("Case Review Oversight Group",),
    ("3.1", "datasets"): ("minimum dataset", "SOLACE"),
    ("3.1", "self-assessments"): ("self-assessment", "Position Statement"),
    ("3.1", "inspection of young people's houses"): ("Fairbairn",),
    ("3.1", "inspection of adult services"): ("Care Inspectorate", "care home oversight"),
    ("3.1", "Drug Commission and Mental Health Inquiry"): (
        "Dundee Drug Commission",
        "Mental Health Inquiry",
        "Trust and Respect",
    ),
    ("3.1", "complaints and compliments"): ("social work complaints received", "compliments"),
    # 3.2 Ability to deliver statutory functions and key risks to delivery
    ("3.2", "children and young people at risk of harm"): ("levels of contact with vulnerable children",),
    ("3.2", "care experienced children and young people"): ("Continuing Care", "Adolescent Services Review"),
    ("3.2", "fostering and adoption"): ("Foster Carer recruitment", "initial enquiries"),
    ("3.2", "offenders at high risk of harm"): ("MAPPA", "Order of Lifelong Restriction"),
    ("3.2", "mental health statutory provisions"): ("Recovery Support Workers",),
    ("3.2", "adults with incapacity and welfare guardianship"): ("welfare guardianship",),
    ("3.2", "adult support and protection duties"): ("Citizens Engagement and Consultation Group",),
    ("3.2", "carers"): ("Adult Carer Support Plans", "Carers Investment Plan"),
    # 5.1 Workforce planning
    ("5.1", "fair work"): ("Fair Work First",),
    ("5.1", "workforce overview"): ("Open University",),
    ("5.1", "postgraduate learning"): ("Postgraduate Certificate in Child Welfare and Protection",),
    ("5.1", "Mental Health Officer award"): ("Mental Health Officer Award",),
    ("5.1", "practice learning"): ("practice learning qualification",),
    ("5.1", "newly qualified social worker pilot"): ("Supported Year",),
    ("5.1", "registration"): ("registerable qualifications",),
    ("5.1", "protection learning"): ("Professional Curiosity and Challenge",),
    ("5.1", "adult support and protection week"): ("Council Officer training",),
    ("5.1", "newly qualified social worker child protection programme"): ("Rosie",),
    ("5.1", "TURAS Learn"): ("TURAS",),
    ("5.1", "absence"): ("days lost",),
    ("5.1", "future workforce"): ("National Care Service", "apprentice"),
    ("5.1", "recruitment"): ("employer branding",),
    # 5.2 Workforce development
    ("5.2", "people and workforce strategy"): ("Our People and Workforce Strategy",),
    ("5.2", "values and standards"): ("Codes of Practice",),
    ("5.2", "employee wellbeing support service"): ("Employee Wellbeing Support Service", "Wellbeing Ambassadors"),
    ("5.2", "team reflection and resilience"): ("reflective spaces",),
    ("5.2", "TRiM"): ("Trauma Risk Management",),
    ("5.2", "trauma training"): ("National Trauma Training Framework",),
    ("5.2", "digital skills"): ("Digital Champions",),
    ("5.2", "leadership development"): ("Integrated Manager Programme",),
}

# The opening words of each of the twenty published quotes.
QUOTES: tuple[str, ...] = (
    "The social worker undertook a",
    "It has been really helpful having OOHS input",
    "OOHS is an invaluable service",
    "I know I could not have made the changes",
    "New Beginnings are a fantastic team",
    "I didn't realise everything I do",
    "I didn't think I would get a chance",
    "My anxieties about having New Beginnings",
    "I've really enjoyed working with",
    "I wouldn't be here without Pause",
    "For us three guys back at the start",
    "I felt welcomed from the start",
    "I couldn't fault the placement",
    "Just wanted to thank you so much",
    "My elderly stepfather was ill",
    "I completed the post grad cert",
    "I shared papers and ideas",
    "These sessions offered me and my team",
    "The programme helped me realise",
    "The session on window of tolerance",
)


def normalise(text: str) -> str:
    """Lower case, straight quotes and single spaces, so line breaks and typography don't matter."""
    for curly, straight in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2011", "-")):
        text = text.replace(curly, straight)
    return " ".join(text.split()).lower()


def missing(text: str) -> tuple[list[str], list[str]]:
    """The topics (with the phrases not found) and the quotes that ``text`` lacks."""
    body = normalise(text)
    topics = [
        f"{part} {topic}: {', '.join(p for p in phrases if normalise(p) not in body)}"
        for (part, topic), phrases in TOPICS.items()
        if any(normalise(p) not in body for p in phrases)
    ]
    quotes = [q for q in QUOTES if normalise(q) not in body]
    return topics, quotes
