/**
 * The Kickstarter category mix of the generator: each main category with its share of campaigns,
 * the spread of its goals (log10 of the USD goal), how often it is staff-picked or has a video,
 * its effect on the odds of success (logits), and its sub-categories with their shares.
 * Shares and spreads echo the published study's table; nothing is copied row by row.
 */

export interface MainCategory {
  readonly name: string;
  readonly weight: number;
  readonly goalLog10Median: number;
  readonly goalLog10Sd: number;
  readonly staffPickRate: number;
  readonly videoRate: number;
  /** Added to the success logit. */
  readonly successEffect: number;
  readonly subcategories: readonly (readonly [string, number])[];
  /** Words that end a campaign name in this category ("Album", "Board Game"). */
  readonly nouns: readonly string[];
}

export const MAIN_CATEGORIES: readonly MainCategory[] = [
  {
    name: 'Film & Video', weight: 2126, goalLog10Median: 3.85, goalLog10Sd: 0.85, staffPickRate: 0.15, videoRate: 0.78,
    successEffect: 0.15,
    subcategories: [['Shorts', 301], ['Documentary', 277], ['Animation', 230], ['Horror', 230], ['Drama', 166], ['Thrillers', 124], ['Science Fiction', 118], ['Webseries', 111], ['Television', 98]],
    nouns: ['Film', 'Short Film', 'Documentary', 'Feature', 'Web Series', 'Movie', 'Pilot'],
  },
  {
    name: 'Publishing', weight: 1805, goalLog10Median: 3.6, goalLog10Sd: 0.65, staffPickRate: 0.29, videoRate: 0.66,
    successEffect: 0.25,
    subcategories: [["Children's Books", 300], ['Art Books', 200], ['Nonfiction', 183], ['Academic', 156], ['Radio & Podcasts', 132], ['Poetry', 131], ['Fiction', 129], ['Young Adult', 125], ['Anthologies', 124]],
    nouns: ['Book', 'Novel', 'Picture Book', 'Anthology', 'Podcast', 'Zine', 'Journal'],
  },
  {
    name: 'Music', weight: 1633, goalLog10Median: 3.7, goalLog10Sd: 0.67, staffPickRate: 0.12, videoRate: 0.8,
    successEffect: 0.55,
    subcategories: [['Country & Folk', 267], ['Rock', 194], ['Classical Music', 163], ['Hip-Hop', 156], ['Electronic Music', 154], ['Faith', 148], ['World Music', 128], ['Jazz', 96], ['Indie Rock', 90]],
    nouns: ['Album', 'EP', 'Record', 'Tour', 'Songs', 'Vinyl', 'Debut Album'],
  },
  {
    name: 'Food', weight: 1507, goalLog10Median: 4.18, goalLog10Sd: 0.68, staffPickRate: 0.087, videoRate: 0.54,
    successEffect: -0.75,
    subcategories: [['Drinks', 335], ['Restaurants', 287], ['Small Batch', 193], ['Food Trucks', 181], ['Farms', 132], ['Vegan', 108], ['Cookbooks', 83], ['Spaces', 69], ['Events', 49]],
    nouns: ['Bakery', 'Cafe', 'Food Truck', 'Hot Sauce', 'Brewery', 'Kitchen', 'Farm'],
  },
  {
    name: 'Art', weight: 1489, goalLog10Median: 3.34, goalLog10Sd: 0.8, staffPickRate: 0.093, videoRate: 0.49,
    successEffect: -0.05,
    subcategories: [['Digital Art', 270], ['Mixed Media', 230], ['Painting', 218], ['Sculpture', 135], ['Illustration', 131], ['Public Art', 125], ['Performance Art', 92], ['Ceramics', 73], ['Textiles', 73]],
    nouns: ['Mural', 'Exhibition', 'Art Prints', 'Sculpture', 'Studio', 'Gallery Show', 'Paintings'],
  },
  {
    name: 'Fashion', weight: 1367, goalLog10Median: 3.7, goalLog10Sd: 0.79, staffPickRate: 0.071, videoRate: 0.54,
    successEffect: 0.45,
    subcategories: [['Accessories', 368], ['Apparel', 330], ['Jewelry', 229], ['Footwear', 202], ['Ready-to-wear', 120], ['Childrenswear', 60], ['Couture', 33], ['Pet Fashion', 25]],
    nouns: ['Jacket', 'Sneakers', 'Backpack', 'Collection', 'Wallet', 'Dress', 'Rings'],
  },
  {
    name: 'Technology', weight: 1264, goalLog10Median: 4.18, goalLog10Sd: 0.78, staffPickRate: 0.074, videoRate: 0.77,
    successEffect: -0.4,
    subcategories: [['Web', 287], ['Apps', 244], ['Wearables', 210], ['DIY Electronics', 129], ['3D Printing', 116], ['Camera Equipment', 100], ['Fabrication Tools', 46], ['Gadgets', 34], ['Makerspaces', 32]],
    nouns: ['App', 'Smart Lamp', 'Charger', 'Drone', 'Keyboard', 'Platform', '3D Printer'],
  },
  {
    name: 'Games', weight: 879, goalLog10Median: 3.9, goalLog10Sd: 0.85, staffPickRate: 0.093, videoRate: 0.73,
    successEffect: 0.25,
    subcategories: [['Playing Cards', 234], ['Mobile Games', 206], ['Video Games', 150], ['Live Games', 125], ['Gaming Hardware', 105], ['Puzzles', 45], ['Tabletop Games', 14]],
    nouns: ['Board Game', 'Card Game', 'Playing Cards', 'RPG', 'Video Game', 'Puzzle', 'Miniatures'],
  },
  {
    name: 'Crafts', weight: 753, goalLog10Median: 3.3, goalLog10Sd: 0.84, staffPickRate: 0.085, videoRate: 0.44,
    successEffect: -0.45,
    subcategories: [['DIY', 206], ['Woodworking', 139], ['Stationery', 98], ['Candles', 89], ['Knitting', 49], ['Printing', 39], ['Embroidery', 36], ['Crochet', 27], ['Pottery', 25]],
    nouns: ['Candles', 'Notebooks', 'Workshop', 'Kit', 'Pottery', 'Patterns', 'Stickers'],
  },
  {
    name: 'Photography', weight: 680, goalLog10Median: 3.74, goalLog10Sd: 0.71, staffPickRate: 0.21, videoRate: 0.59,
    successEffect: 0.2,
    subcategories: [['Photobooks', 372], ['Fine Art', 95], ['Nature', 71], ['People', 67], ['Places', 50], ['Animals', 25]],
    nouns: ['Photobook', 'Portraits', 'Photo Book', 'Exhibition', 'Calendar', 'Prints'],
  },
  {
    name: 'Design', weight: 532, goalLog10Median: 3.74, goalLog10Sd: 0.92, staffPickRate: 0.14, videoRate: 0.59,
    successEffect: -0.65,
    subcategories: [['Graphic Design', 204], ['Toys', 109], ['Architecture', 89], ['Interactive Design', 54], ['Civic Design', 32], ['Product Design', 30], ['Typography', 14]],
    nouns: ['Poster', 'Typeface', 'Toy', 'Pavilion', 'Enamel Pins', 'Tote'],
  },
  {
    name: 'Journalism', weight: 452, goalLog10Median: 3.7, goalLog10Sd: 0.78, staffPickRate: 0.15, videoRate: 0.5,
    successEffect: -1.2,
    subcategories: [['Web', 186], ['Print', 96], ['Audio', 94], ['Video', 51], ['Photo', 25]],
    nouns: ['Magazine', 'Newsletter', 'Report', 'Investigation', 'News Site'],
  },
  {
    name: 'Theater', weight: 202, goalLog10Median: 3.7, goalLog10Sd: 0.73, staffPickRate: 0.07, videoRate: 0.71,
    successEffect: -0.2,
    subcategories: [['Musical', 93], ['Comedy', 50], ['Festivals', 31], ['Immersive', 28]],
    nouns: ['Musical', 'Play', 'Festival', 'Production', 'Show'],
  },
  {
    name: 'Comics', weight: 146, goalLog10Median: 3.57, goalLog10Sd: 0.64, staffPickRate: 0.42, videoRate: 0.68,
    successEffect: 1.2,
    subcategories: [['Anthologies', 146]],
    nouns: ['Comic', 'Graphic Novel', 'Anthology', 'Webcomic'],
  },
  {
    name: 'Dance', weight: 102, goalLog10Median: 3.7, goalLog10Sd: 0.51, staffPickRate: 0.31, videoRate: 0.88,
    successEffect: 1.4,
    subcategories: [['Performances', 65], ['Workshops', 20], ['Residencies', 9], ['Spaces', 8]],
    nouns: ['Dance Film', 'Performance', 'Residency', 'Company'],
  },
];

/** A few sub-categories that do better or worse than their main category (success logits). */
export const SUBCATEGORY_EFFECTS: Readonly<Record<string, number>> = {
  'Playing Cards': 0.8,
  'Tabletop Games': 0.9,
  'Mobile Games': -1.0,
  Apps: -0.9,
  Web: -0.5,
  Restaurants: -0.4,
  'Food Trucks': -0.6,
  "Children's Books": 0.3,
  Photobooks: 0.5,
  'Country & Folk': 0.3,
  'Hip-Hop': -0.5,
  Wearables: 0.4,
  Footwear: 0.3,
};

/** Country, its usual currency, share of campaigns, and its effect on the success logit. */
export const COUNTRIES: readonly (readonly [country: string, currency: string, weight: number, effect: number])[] = [
  ['US', 'USD', 8836, 0],
  ['GB', 'GBP', 1865, 0.25],
  ['CA', 'CAD', 756, 0.15],
  ['MX', 'MXN', 486, -0.45],
  ['DE', 'EUR', 376, -0.2],
  ['AU', 'AUD', 361, 0.1],
  ['FR', 'EUR', 332, 0.05],
  ['IT', 'EUR', 304, -0.9],
  ['ES', 'EUR', 293, -0.4],
  ['HK', 'HKD', 166, 0.6],
  ['NL', 'EUR', 143, -0.1],
  ['JP', 'JPY', 142, 0.4],
  ['SE', 'SEK', 138, -0.1],
  ['SG', 'SGD', 108, 0.2],
  ['DK', 'DKK', 75, 0.1],
  ['CH', 'CHF', 72, 0],
  ['NZ', 'NZD', 63, 0.1],
];

/**
 * USD per unit of each currency around 2017-2023 (the median of `static_usd_rate`), and how much
 * it swings over time (relative amplitude; the Hong Kong dollar is pegged).
 */
export const USD_RATES: Readonly<Record<string, readonly [rate: number, swing: number]>> = {
  USD: [1, 0],
  GBP: [1.2982, 0.05],
  CAD: [0.7648, 0.03],
  MXN: [0.05156, 0.06],
  EUR: [1.1323, 0.05],
  AUD: [0.7207, 0.06],
  HKD: [0.12816, 0.003],
  JPY: [0.008843, 0.08],
  SEK: [0.1119, 0.07],
  SGD: [0.734, 0.02],
  DKK: [0.1524, 0.05],
  CHF: [1.0244, 0.04],
  NZD: [0.6897, 0.06],
};
