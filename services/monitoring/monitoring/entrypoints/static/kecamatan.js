// Kutai Kartanegara's 20 kecamatan (Kemendagri codes, as in deploy/kecamatan.csv and the contracts).
const KECAMATAN = {
"64.02.01": "Muara Muntai",
"64.02.02": "Loa Kulu",
"64.02.03": "Loa Janan",
"64.02.04": "Anggana",
"64.02.05": "Muara Badak",
"64.02.06": "Tenggarong",
"64.02.07": "Sebulu",
"64.02.08": "Kota Bangun",
"64.02.09": "Kenohan",
"64.02.10": "Kembang Janggut",
"64.02.11": "Muara Kaman",
"64.02.12": "Tabang",
"64.02.13": "Samboja",
"64.02.14": "Muara Jawa",
"64.02.15": "Sanga Sanga",
"64.02.16": "Tenggarong Seberang",
"64.02.17": "Marang Kayu",
"64.02.18": "Muara Wis",
"64.02.19": "Kota Bangun Darat",
"64.02.20": "Samboja Barat"
};
