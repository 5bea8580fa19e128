from flask_smorest import Blueprint

blp = Blueprint("programmes_api", __name__, url_prefix="/api/v1", description="Programmes and progress")
