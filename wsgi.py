from collab import create_app

app = create_app()
