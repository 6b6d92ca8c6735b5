import PavlovLang
