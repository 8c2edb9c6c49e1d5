"""The media library: uploaded pictures, their renditions and where their files are kept."""
