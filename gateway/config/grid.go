package config

// gridTiles lists the console grids and how many tiles each has.
var gridTiles = map[string]int{
	"1": 1, "2x2": 4, "3x3": 9, "4x4": 16, "5x5": 25, "1+5": 6, "1+7": 8,
}

// squareGrids are the grids a default layout is chosen from, smallest first.
var squareGrids = []string{"1", "2x2", "3x3", "4x4", "5x5"}

// GridCapacity returns the number of tiles of a grid, 0 for an unknown grid.
func GridCapacity(grid string) int {
	return gridTiles[grid]
}

// ValidGrid reports whether grid is one of 1, 2x2, 3x3, 4x4, 5x5, 1+5, 1+7.
func ValidGrid(grid string) bool {
	return gridTiles[grid] > 0
}

func smallestSquareGrid(n int) string {
	for _, g := range squareGrids {
		if gridTiles[g] >= n {
			return g
		}
	}
	return squareGrids[len(squareGrids)-1]
}
