from stancekit.cli import app

app()
