"""Static vocabularies the generator draws from: names, places, products, campaigns.

Plain data, no logic. Names carry an ASCII spelling beside the display spelling so that email
addresses stay ASCII while records show `García` or `Zoë`.
"""

from __future__ import annotations

# (display, ascii, nicknames separated by "|")
MALE_FIRST: tuple[tuple[str, str, str], ...] = (
    ("Robert", "robert", "Bob|Rob|Bobby"),
    ("William", "william", "Bill|Will|Billy"),
    ("James", "james", "Jim|Jimmy|Jamie"),
    ("John", "john", "Johnny|Jack"),
    ("Michael", "michael", "Mike|Mikey"),
    ("Richard", "richard", "Rick|Rich|Dick"),
    ("Thomas", "thomas", "Tom|Tommy"),
    ("Charles", "charles", "Charlie|Chuck"),
    ("Joseph", "joseph", "Joe|Joey"),
    ("Christopher", "christopher", "Chris"),
    ("Daniel", "daniel", "Dan|Danny"),
    ("Matthew", "matthew", "Matt"),
    ("Anthony", "anthony", "Tony"),
    ("Steven", "steven", "Steve"),
    ("Andrew", "andrew", "Andy|Drew"),
    ("Joshua", "joshua", "Josh"),
    ("Edward", "edward", "Ed|Ted|Eddie"),
    ("Benjamin", "benjamin", "Ben"),
    ("Samuel", "samuel", "Sam"),
    ("Alexander", "alexander", "Alex"),
    ("Nicholas", "nicholas", "Nick"),
    ("Jonathan", "jonathan", "Jon"),
    ("Timothy", "timothy", "Tim"),
    ("Patrick", "patrick", "Pat"),
    ("Gregory", "gregory", "Greg"),
    ("Kenneth", "kenneth", "Ken"),
    ("Ronald", "ronald", "Ron"),
    ("David", "david", "Dave"),
    ("Peter", "peter", "Pete"),
    ("Brian", "brian", ""),
    ("Kevin", "kevin", ""),
    ("Jason", "jason", ""),
    ("Ryan", "ryan", ""),
    ("Eric", "eric", ""),
    ("Jacob", "jacob", "Jake"),
    ("Tyler", "tyler", ""),
    ("Aaron", "aaron", ""),
    ("José", "jose", "Pepe"),
    ("Carlos", "carlos", ""),
    ("Luis", "luis", ""),
    ("Wei", "wei", ""),
    ("Raj", "raj", ""),
    ("Mohammed", "mohammed", "Mo"),
    ("Omar", "omar", ""),
    ("Liam", "liam", ""),
    ("Noah", "noah", ""),
    ("Ethan", "ethan", ""),
    ("Mason", "mason", ""),
    ("Hiroshi", "hiroshi", ""),
    ("Oliver", "oliver", "Ollie"),
)

FEMALE_FIRST: tuple[tuple[str, str, str], ...] = (
    ("Elizabeth", "elizabeth", "Liz|Beth|Betty|Eliza"),
    ("Katherine", "katherine", "Kate|Kathy|Katie"),
    ("Margaret", "margaret", "Maggie|Peggy|Meg"),
    ("Jennifer", "jennifer", "Jen|Jenny"),
    ("Patricia", "patricia", "Patty|Trish"),
    ("Susan", "susan", "Sue|Susie"),
    ("Rebecca", "rebecca", "Becky|Becca"),
    ("Deborah", "deborah", "Deb|Debbie"),
    ("Jessica", "jessica", "Jess|Jessie"),
    ("Victoria", "victoria", "Vicky|Tori"),
    ("Alexandra", "alexandra", "Alex|Sasha"),
    ("Christine", "christine", "Chris|Tina"),
    ("Samantha", "samantha", "Sam|Sammy"),
    ("Abigail", "abigail", "Abby"),
    ("Stephanie", "stephanie", "Steph"),
    ("Kimberly", "kimberly", "Kim"),
    ("Pamela", "pamela", "Pam"),
    ("Cynthia", "cynthia", "Cindy"),
    ("Barbara", "barbara", "Barb"),
    ("Dorothy", "dorothy", "Dot|Dottie"),
    ("Mary", "mary", ""),
    ("Linda", "linda", ""),
    ("Sarah", "sarah", ""),
    ("Karen", "karen", ""),
    ("Nancy", "nancy", ""),
    ("Lisa", "lisa", ""),
    ("Emily", "emily", "Em"),
    ("Ashley", "ashley", ""),
    ("Michelle", "michelle", "Shelly"),
    ("Amanda", "amanda", "Mandy"),
    ("Melissa", "melissa", "Mel"),
    ("Laura", "laura", ""),
    ("Olivia", "olivia", "Liv"),
    ("Emma", "emma", ""),
    ("Sophia", "sophia", "Sophie"),
    ("Isabella", "isabella", "Bella|Izzy"),
    ("Mia", "mia", ""),
    ("Chloé", "chloe", ""),
    ("Zoë", "zoe", ""),
    ("Priya", "priya", ""),
    ("Mei", "mei", ""),
    ("María", "maria", ""),
    ("Ana", "ana", ""),
    ("Fatima", "fatima", ""),
    ("Aisha", "aisha", ""),
    ("Siobhan", "siobhan", ""),
    ("Yuki", "yuki", ""),
    ("Grace", "grace", ""),
    ("Hannah", "hannah", ""),
    ("Natalie", "natalie", "Nat"),
)

LAST: tuple[tuple[str, str], ...] = (
    ("Smith", "smith"), ("Johnson", "johnson"), ("Williams", "williams"), ("Brown", "brown"),
    ("Jones", "jones"), ("Garcia", "garcia"), ("Miller", "miller"), ("Davis", "davis"),
    ("Rodriguez", "rodriguez"), ("Martinez", "martinez"), ("Hernandez", "hernandez"), ("Lopez", "lopez"),
    ("Gonzalez", "gonzalez"), ("Wilson", "wilson"), ("Anderson", "anderson"), ("Thomas", "thomas"),
    ("Taylor", "taylor"), ("Moore", "moore"), ("Jackson", "jackson"), ("Martin", "martin"),
    ("Lee", "lee"), ("Perez", "perez"), ("Thompson", "thompson"), ("White", "white"),
    ("Harris", "harris"), ("Sanchez", "sanchez"), ("Clark", "clark"), ("Ramirez", "ramirez"),
    ("Lewis", "lewis"), ("Robinson", "robinson"), ("Walker", "walker"), ("Young", "young"),
    ("Allen", "allen"), ("King", "king"), ("Wright", "wright"), ("Scott", "scott"),
    ("Torres", "torres"), ("Nguyen", "nguyen"), ("Hill", "hill"), ("Flores", "flores"),
    ("Green", "green"), ("Adams", "adams"), ("Nelson", "nelson"), ("Baker", "baker"),
    ("Hall", "hall"), ("Rivera", "rivera"), ("Campbell", "campbell"), ("Mitchell", "mitchell"),
    ("Carter", "carter"), ("Roberts", "roberts"), ("Gomez", "gomez"), ("Phillips", "phillips"),
    ("Evans", "evans"), ("Turner", "turner"), ("Diaz", "diaz"), ("Parker", "parker"),
    ("Cruz", "cruz"), ("Edwards", "edwards"), ("Collins", "collins"), ("Reyes", "reyes"),
    ("Stewart", "stewart"), ("Morris", "morris"), ("Morales", "morales"), ("Murphy", "murphy"),
    ("Cook", "cook"), ("Rogers", "rogers"), ("Gutierrez", "gutierrez"), ("Ortiz", "ortiz"),
    ("Morgan", "morgan"), ("Cooper", "cooper"), ("Peterson", "peterson"), ("Bailey", "bailey"),
    ("Reed", "reed"), ("Kelly", "kelly"), ("Howard", "howard"), ("Ramos", "ramos"),
    ("Kim", "kim"), ("Cox", "cox"), ("Ward", "ward"), ("Richardson", "richardson"),
    ("Watson", "watson"), ("Brooks", "brooks"), ("Chavez", "chavez"), ("Wood", "wood"),
    ("James", "james"), ("Bennett", "bennett"), ("Gray", "gray"), ("Mendoza", "mendoza"),
    ("Ruiz", "ruiz"), ("Hughes", "hughes"), ("Price", "price"), ("Alvarez", "alvarez"),
    ("Castillo", "castillo"), ("Sanders", "sanders"), ("Patel", "patel"), ("Myers", "myers"),
    ("Long", "long"), ("Ross", "ross"), ("Foster", "foster"), ("Jimenez", "jimenez"),
    ("O'Brien", "obrien"), ("O'Connor", "oconnor"), ("McDonald", "mcdonald"), ("MacLeod", "macleod"),
    ("Smith-Jones", "smithjones"), ("García", "garcia"), ("Müller", "mueller"), ("Núñez", "nunez"),
    ("Schmidt", "schmidt"), ("Wang", "wang"), ("Li", "li"), ("Zhang", "zhang"),
    ("Chen", "chen"), ("Singh", "singh"), ("Kumar", "kumar"), ("Tanaka", "tanaka"),
    ("Okafor", "okafor"), ("Haddad", "haddad"), ("Cohen", "cohen"), ("Novak", "novak"),
    ("Kowalski", "kowalski"), ("Rossi", "rossi"), ("Fischer", "fischer"), ("Dubois", "dubois"),
    ("Van der Berg", "vanderberg"), ("De la Cruz", "delacruz"), ("St. James", "stjames"), ("Fitzgerald", "fitzgerald"),
)

# (city, region, postcode prefix, area codes separated by "|")
US_PLACES: tuple[tuple[str, str, str, str], ...] = (
    ("San Francisco", "CA", "941", "415|628"),
    ("Los Angeles", "CA", "900", "213|310|323"),
    ("San Diego", "CA", "921", "619|858"),
    ("Oakland", "CA", "946", "510"),
    ("San Jose", "CA", "951", "408|669"),
    ("Seattle", "WA", "981", "206"),
    ("Portland", "OR", "972", "503|971"),
    ("Denver", "CO", "802", "303|720"),
    ("Phoenix", "AZ", "850", "602|480"),
    ("Austin", "TX", "787", "512|737"),
    ("Houston", "TX", "770", "713|832"),
    ("Dallas", "TX", "752", "214|469"),
    ("Chicago", "IL", "606", "312|773"),
    ("Minneapolis", "MN", "554", "612"),
    ("Detroit", "MI", "482", "313"),
    ("Columbus", "OH", "432", "614"),
    ("Atlanta", "GA", "303", "404|678"),
    ("Miami", "FL", "331", "305|786"),
    ("Orlando", "FL", "328", "407"),
    ("Nashville", "TN", "372", "615"),
    ("Charlotte", "NC", "282", "704|980"),
    ("Washington", "DC", "200", "202"),
    ("Baltimore", "MD", "212", "410|443"),
    ("Philadelphia", "PA", "191", "215|267"),
    ("Pittsburgh", "PA", "152", "412"),
    ("New York", "NY", "100", "212|646|917"),
    ("Brooklyn", "NY", "112", "718|347"),
    ("Boston", "MA", "021", "617|857"),
    ("Salt Lake City", "UT", "841", "801"),
    ("Las Vegas", "NV", "891", "702"),
)

# (city, region, postcode outward codes separated by "|")
UK_PLACES: tuple[tuple[str, str, str], ...] = (
    ("London", "Greater London", "SW1A|N1|E14|SE1|W2|NW3"),
    ("Manchester", "Greater Manchester", "M1|M14|M20"),
    ("Birmingham", "West Midlands", "B1|B15|B29"),
    ("Leeds", "West Yorkshire", "LS1|LS6"),
    ("Bristol", "Bristol", "BS1|BS8"),
    ("Edinburgh", "Scotland", "EH1|EH3|EH10"),
    ("Glasgow", "Scotland", "G1|G12"),
    ("Cardiff", "Wales", "CF10|CF24"),
)

US_STREETS: tuple[str, ...] = (
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Sunset",
    "Mission", "Valencia", "Market", "Broadway", "Church", "Highland", "Madison", "Jefferson", "Lincoln",
)
US_SUFFIXES: tuple[str, ...] = ("St", "Ave", "Blvd", "Rd", "Ln", "Dr", "Way", "Ct")
UK_STREETS: tuple[str, ...] = (
    "High", "Church", "Station", "Victoria", "Mill", "Park", "Queen's", "King's", "Albert", "Manor",
)
UK_SUFFIXES: tuple[str, ...] = ("Street", "Road", "Lane", "Avenue", "Close", "Gardens")

US_EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 0.38), ("yahoo.com", 0.12), ("outlook.com", 0.10), ("hotmail.com", 0.09),
    ("icloud.com", 0.09), ("aol.com", 0.04), ("comcast.net", 0.04), ("protonmail.com", 0.03),
    ("me.com", 0.03), ("att.net", 0.03), ("msn.com", 0.03), ("live.com", 0.02),
)
UK_EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 0.35), ("hotmail.co.uk", 0.20), ("yahoo.co.uk", 0.15), ("btinternet.com", 0.12),
    ("outlook.com", 0.10), ("sky.com", 0.08),
)
DOMAIN_TYPOS: dict[str, str] = {
    "gmail.com": "gmial.com", "yahoo.com": "yaho.com", "outlook.com": "outlok.com",
    "hotmail.com": "hotmial.com", "icloud.com": "iclod.com", "aol.com": "aol.con",
    "comcast.net": "comcast.com", "hotmail.co.uk": "hotmail.co", "yahoo.co.uk": "yahoo.co.k",
    "btinternet.com": "btinternet.co", "me.com": "me.con", "live.com": "lve.com",
}
PLUS_TAGS: tuple[str, ...] = ("shop", "news", "promo", "orders", "deals", "2024")

JUNK_EMAILS: tuple[str, ...] = ("test@test.com", "unknown", "noemail@example.com", "none@none.com")
JUNK_PHONES: tuple[str, ...] = ("0000000000", "unknown", "1234567890", "999-999-9999")

CATEGORIES: tuple[str, ...] = (
    "Tents", "Sleeping Bags", "Backpacks", "Footwear", "Jackets", "Base Layers", "Cookware",
    "Climbing", "Cycling", "Running", "Accessories", "Kids",
)
PRODUCT_ADJ: tuple[str, ...] = (
    "Alpine", "Trail", "Summit", "Ridge", "Canyon", "Glacier", "Coastal", "Forest", "Desert", "Nordic",
    "Urban", "Storm", "Ultralight", "Classic", "Pro",
)
PRODUCT_NOUN: dict[str, tuple[str, ...]] = {
    "Tents": ("2-Person Tent", "Dome Tent", "Tarp Shelter", "Bivy"),
    "Sleeping Bags": ("Down Bag", "Synthetic Bag", "Liner", "Quilt"),
    "Backpacks": ("Daypack 22L", "Pack 45L", "Hydration Pack", "Duffel 60L"),
    "Footwear": ("Hiking Boot", "Trail Runner", "Sandal", "Gaiter"),
    "Jackets": ("Rain Jacket", "Down Jacket", "Softshell", "Windbreaker"),
    "Base Layers": ("Merino Tee", "Long Johns", "Crew Top", "Sock 3-Pack"),
    "Cookware": ("Stove", "Pot Set", "Mug", "Spork"),
    "Climbing": ("Harness", "Chalk Bag", "Carabiner", "Rope 9.5mm"),
    "Cycling": ("Helmet", "Bike Light", "Saddle Bag", "Jersey"),
    "Running": ("Running Vest", "Shorts", "Cap", "Headlamp"),
    "Accessories": ("Water Bottle", "Trekking Poles", "Sunglasses", "Beanie"),
    "Kids": ("Kids Jacket", "Kids Boot", "Kids Backpack", "Kids Sleeping Bag"),
}
PRODUCT_VARIANT: tuple[str, ...] = (
    "", "", "", " - Black", " - Blue, Large", ' 12"', ' - "Limited Edition"', " - Women's", " - Men's, M",
)

INVENTORY_LOCATIONS: tuple[str, ...] = ("DC-EAST", "DC-WEST", "ST-101", "ST-104", "ST-107")
STORES: tuple[str, ...] = ("ST-101", "ST-102", "ST-103", "ST-104", "ST-105", "ST-106", "ST-107", "ST-108")

WEB_USER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0 Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
)
APP_USER_AGENTS: dict[str, str] = {
    "ios": "ExampleStore/{v} CFNetwork/1494.0.7 Darwin/23.4.0",
    "android": "okhttp/4.12.0 ExampleStore/{v} (Android 14)",
}
APP_VERSIONS: tuple[str, ...] = ("4.9.2", "4.10.0", "4.11.1", "4.12.0", "5.0.0")
DEVICE_MODELS: dict[str, tuple[str, ...]] = {
    "ios": ("iPhone15,2", "iPhone14,5", "iPhone16,1", "iPad13,18"),
    "android": ("Pixel 8", "SM-S918B", "SM-A546B", "moto g84"),
}

SITE = "https://shop.example.com"
STATIC_PAGES: tuple[tuple[str, str], ...] = (
    ("/", "Example Outdoor - Home"),
    ("/cart", "Your cart"),
    ("/checkout", "Checkout"),
    ("/account", "My account"),
    ("/login", "Sign in"),
    ("/stores", "Find a store"),
    ("/help/returns", "Returns & refunds"),
    ("/search", "Search results"),
)
REFERRERS: tuple[str, ...] = (
    "https://www.google.com/", "https://www.google.com/", "", "", "https://www.bing.com/",
    "https://www.facebook.com/", "https://www.instagram.com/", "https://duckduckgo.com/",
)
CAMPAIGNS: tuple[tuple[str, str, str], ...] = (
    ("google", "cpc", "brand_search"),
    ("google", "cpc", "spring_sale"),
    ("facebook", "paid_social", "summer_camping"),
    ("instagram", "paid_social", "new_arrivals"),
    ("newsletter", "email", "weekly_digest"),
    ("partner_blog", "referral", "gear_guide"),
)
TRACK_EVENTS: tuple[tuple[str, float], ...] = (
    ("Product Viewed", 0.45), ("Product Added", 0.18), ("Products Searched", 0.14),
    ("Checkout Started", 0.08), ("Order Completed", 0.05), ("Coupon Applied", 0.04),
    ("Newsletter Subscribed", 0.03), ("Product Removed", 0.03),
)
SCREENS: tuple[str, ...] = ("Home", "Product Detail", "Category", "Cart", "Checkout", "Account", "Store Finder")

EMAIL_URLS: tuple[str, ...] = (
    "https://shop.example.com/sale?utm_source=newsletter",
    "https://shop.example.com/new?utm_source=newsletter",
    "https://shop.example.com/c/jackets?utm_source=newsletter",
    "https://shop.example.com/account/preferences",
    "https://shop.example.com/stores?utm_source=newsletter",
)
PROMO_NAMES: tuple[str, ...] = (
    "spring_sale", "summer_camping", "back_to_school", "black_friday", "cyber_monday", "holiday_gifts",
    "new_year_reset", "members_weekend",
)

SUPPORT_TOPICS: tuple[str, ...] = (
    "delivery", "returns", "billing", "product_question", "account", "complaint", "loyalty",
)
SUPPORT_CHANNELS: tuple[str, ...] = ("phone", "email", "chat")
INTERESTS: tuple[str, ...] = (
    "hiking", "camping", "running", "climbing", "cycling", "skiing", "travel", "fishing", "kids_outdoors",
)
SURVEY_COMMENTS: tuple[str, ...] = (
    "Great service, fast delivery.",
    'The boots are "waterproof" only in name, sadly.',
    "Store staff were helpful, but the queue was long.",
    "Please send fewer emails, once a month is plenty.",
    "Love the loyalty programme!",
    "Website checkout kept timing out; had to call in.",
    "",
    "",
)
INDUSTRIES: tuple[str, ...] = (
    "Software", "Retail", "Manufacturing", "Healthcare", "Financial Services", "Education",
    "Logistics", "Hospitality", "Construction", "Media",
)
COMPANY_PREFIX: tuple[str, ...] = (
    "Blue", "Summit", "Granite", "North", "Silver", "Cedar", "Bright", "Iron", "Harbor", "Pioneer",
    "Evergreen", "Redwood", "Atlas", "Vertex", "Beacon", "Keystone", "Lumen", "Nimbus", "Orbit", "Quarry",
)
COMPANY_NOUN: tuple[str, ...] = (
    "Logistics", "Labs", "Systems", "Health", "Foods", "Analytics", "Works", "Partners", "Outfitters",
    "Robotics", "Capital", "Media", "Builders", "Software", "Energy",
)
COMPANY_SUFFIX: tuple[str, ...] = ("", "", ", Inc.", " LLC", " Ltd", " & Co", ", Inc.", " Group")
JOB_TITLES: tuple[str, ...] = (
    "Buyer", "Office Manager", "Procurement Lead", "Facilities Manager", "CEO", "Head of People",
    "Operations Manager", "Event Coordinator", "Purchasing Agent", "HR Business Partner",
)
MEMBER_ROLES: tuple[str, ...] = ("buyer", "approver", "admin", "user", "billing_contact")
LEAD_SOURCES: tuple[str, ...] = ("web_form", "trade_show", "referral", "partner", "cold_outreach", "")
TIERS: tuple[str, ...] = ("bronze", "silver", "gold", "platinum")
