"""Writes treebank_cases.json: random texts and the spans NLTK 3.8 gives with Label Studio's patched punctuation.

Usage (Debian python3-nltk): python3 gen_treebank_cases.py SEED COUNT > treebank_cases.json (stored: 42 400).
"""
import re, random, json, sys
from nltk.tokenize.treebank import TreebankWordTokenizer
TreebankWordTokenizer.PUNCTUATION = [
    (re.compile(r"([:,])([^\d])"), r" \1 \2"),
    (re.compile(r"([:,])$"), r" \1 "),
    (re.compile(r"\.\.\."), r" ... "),
    (re.compile(r"[;@#$/%&]"), r" \g<0> "),
    (re.compile(r'([^\.])(\.)([\]\)}>"\']*)\s*$'), r"\1 \2\3 "),
    (re.compile(r"[?!]"), r" \g<0> "),
    (re.compile(r"([^'])' "), r"\1 ' "),
]
random.seed(int(sys.argv[1]))
pieces = ["can","not","cannot","Cannot","gonna","wanna","gimme","lemme","gotta","more'n","d'ye","'tis","'twas","they're","can't","I'm","he's","we'll","O'Neil","rock'n'roll",
 "a","the","Corp",".","..","...",",",":",";","@","#","$","/","%","&","?","!","'","''","\"","``","`","(",")","[","]","{","}","<",">","--","-",
 "3,000.50","10:30","1,2","x","é","Zoë","São","日本","\u2019","\u201c","\u00a0","\t","\n"," ","  ","_","ſ","K"]
out=[]
for n in range(int(sys.argv[2])):
    k=random.randint(0,14)
    t="".join(random.choice(pieces)+(random.choice(["", " ", " "]) ) for _ in range(k))
    try:
        spans=list(TreebankWordTokenizer().span_tokenize(t)); err=None
    except Exception as e:
        spans=None; err=type(e).__name__
    out.append({"text":t,"spans":spans,"err":err})
json.dump(out, sys.stdout, ensure_ascii=False)
