"""The fastest Flask can go here: the bare "hello world" that ``make bench`` measures the shop against."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
