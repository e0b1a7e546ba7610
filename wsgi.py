"""WSGI entry point: gunicorn wsgi:app"""

from sprintboard import create_app

app = create_app()
