"""pytest plugin modules, one concern each; listed in :data:`pytest_asyncio.plugin.PLUGINS`."""
