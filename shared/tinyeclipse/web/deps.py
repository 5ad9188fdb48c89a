"""FastAPI dependencies shared by the functions; tests override `get_settings` and `get_database`."""

from typing import Annotated

from fastapi import Depends

from tinyeclipse.config import Settings, get_settings
from tinyeclipse.db import Database, get_database

SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
